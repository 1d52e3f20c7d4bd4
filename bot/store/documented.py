"""Independent counts: Oryx's photo-confirmed losses per equipment type and date, as last
imported (`bulletin-bot import` of a newer CSV). While the table is empty, the counts bundled
with the package are used (bot/oryx.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.store.database import Database


class DocumentedCounts(Database):
    """The imported counts: replaced whole by each import, never mixed with an older one."""

    def replace_documented(self, rows: Iterable[tuple[str, date, int]]) -> int:
        """Replace the imported counts with `rows` (type, date, total); how many rows."""
        with self._writing():
            self.db.execute("DELETE FROM documented_counts")
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO documented_counts (equipment_type, date, total) "
                "VALUES (?, ?, ?)",
                ((kind, day.isoformat(), total) for kind, day, total in rows),
            )
            return self.db.conn.total_changes - before

    def documented(self) -> list[tuple[str, date, int]]:
        rows = self.db.execute("SELECT equipment_type, date, total FROM documented_counts")
        return [(kind, date.fromisoformat(day), total) for kind, day, total in rows]
