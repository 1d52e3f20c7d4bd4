"""Texts written once and delivered later through the outbox: admins' announcements to readers
and the bot's alerts to admins."""

from __future__ import annotations

from datetime import datetime

from bot.store.database import Database, inserted


class Messages(Database):
    """Announcements by id; alerts by key, each raised once."""

    def add_announcement(self, text: str, *, author: str, now: datetime) -> int:
        cursor = self.db.execute(
            "INSERT INTO announcements (text, author, created_at) VALUES (?, ?, ?)",
            [text, author, now.isoformat()],
        )
        return inserted(cursor)

    def announcement(self, announcement_id: int) -> str | None:
        row = self.db.execute(
            "SELECT text FROM announcements WHERE id = ?", [announcement_id]
        ).fetchone()
        return row[0] if row else None

    def add_alert(self, key: str, text: str, *, now: datetime) -> bool:
        """Record an alert once per key; False if that alert was already raised."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO alerts (key, text, created_at) VALUES (?, ?, ?)",
            [key, text, now.isoformat()],
        )
        return cursor.rowcount > 0

    def alert(self, key: str) -> str | None:
        row = self.db.execute("SELECT text FROM alerts WHERE key = ?", [key]).fetchone()
        return row[0] if row else None
