"""Texts written once and delivered later through the outbox: admins' announcements to readers
and the bot's alerts to admins."""

from __future__ import annotations

from datetime import datetime

from bot.store.database import Part, inserted


class Messages(Part):
    """Announcements by id; alerts by key, each raised once."""

    def add_announcement(self, text: str, *, author: str, now: datetime) -> int:
        table = self.db.table("announcements").insert(
            {"text": text, "author": author, "created_at": now.isoformat()}
        )
        return inserted(table)

    def announcement(self, announcement_id: int) -> str | None:
        return self._text("announcements", "id", announcement_id)

    def add_alert(self, key: str, text: str, *, now: datetime) -> bool:
        """Record an alert once per key; False if that alert was already raised (told by the
        INSERT's rowcount, which sqlite-utils does not give)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO alerts (key, text, created_at) VALUES (?, ?, ?)",
            [key, text, now.isoformat()],
        )
        return cursor.rowcount > 0

    def alert(self, key: str) -> str | None:
        return self._text("alerts", "key", key)

    def _text(self, table: str, key: str, value: object) -> str | None:
        row = next(self.db.table(table).rows_where(f"{key} = ?", [value], select="text"), None)
        return str(row["text"]) if row else None
