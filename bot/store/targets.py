"""A chat's own milestones: the totals it asked to hear of (`/milestones tanks 13000`).

Each waits until a bulletin's total reaches it. Its alert is an ordinary milestone outbox row
(bot/milestones.py); the schema's trigger `milestone_target_announced` removes the target in
the transaction that records that row as sent, so it is announced exactly once: not again after
a restart, a revision or a correction that takes the total back below, and not lost if its alert
is skipped unsent (a correction took the total back below before it went).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.store.database import Part


@dataclass(frozen=True, order=True)
class Target:
    """A total a chat waits for: tanks, 13,000."""

    category: str
    value: int


class Targets(Part):
    """Setting, listing and removing a chat's own milestones, and finding those reached."""

    def add(self, chat_id: int, target: Target, *, now: datetime) -> bool:
        """Set a target; False if the chat had it already."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO milestone_targets (chat_id, category, value, created_at) "
            "VALUES (?, ?, ?, ?)",
            [chat_id, target.category, target.value, now.isoformat()],
        )
        return cursor.rowcount > 0

    def of_chat(self, chat_id: int) -> list[Target]:
        """The chat's targets, by category key and value (Subscriptions.targets: in the
        bulletin's order)."""
        rows = self.db.execute(
            "SELECT category, value FROM milestone_targets WHERE chat_id = ? "
            "ORDER BY category, value",
            [chat_id],
        )
        return [Target(category, value) for category, value in rows]

    def remove(self, chat_id: int, category: str, value: int | None = None) -> list[Target]:
        """Remove the chat's targets of a category (or only the one of that value); those
        removed."""
        with self._writing():
            removed = [
                t
                for t in self.of_chat(chat_id)
                if t.category == category and value in (None, t.value)
            ]
            self.db.conn.executemany(
                "DELETE FROM milestone_targets WHERE chat_id = ? AND category = ? AND value = ?",
                [(chat_id, t.category, t.value) for t in removed],
            )
        return removed

    def reached(self, totals: Mapping[str, int]) -> list[tuple[int, Target]]:
        """(chat, target) for every target these totals reach, by the category's index."""
        found: list[tuple[int, Target]] = []
        for category, total in totals.items():
            rows = self.db.execute(
                "SELECT chat_id, value FROM milestone_targets "
                "WHERE category = ? AND value <= ? ORDER BY chat_id, value",
                [category, total],
            )
            found += [(chat_id, Target(category, value)) for chat_id, value in rows]
        return found
