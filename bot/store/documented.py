"""Independent counts: Oryx's photo-confirmed losses per equipment type and date, as last
imported (`bulletin-bot import` of a newer CSV). While the table is empty, the counts bundled
with the package are used (bot/oryx.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.store.database import Part


class DocumentedCounts(Part):
    """The imported counts: replaced whole by each import, never mixed with an older one."""

    def replace(self, rows: Iterable[tuple[str, date, int]]) -> int:
        """Replace the imported counts with `rows` (type, date, total); how many rows. Each
        import is counted (`documented_changes`): a running bot, another process, learns from
        that count that what /compare shows has changed (Reports.data_version)."""
        table = self.db.table("documented_counts")
        with self._writing():
            table.delete_where()
            before = self.db.conn.total_changes
            table.insert_all(
                (
                    {"equipment_type": kind, "date": day.isoformat(), "total": total}
                    for kind, day, total in rows
                ),
                replace=True,
            )
            imported = self.db.conn.total_changes - before
            self.db.execute("UPDATE documented_changes SET count = count + 1")
            return imported

    def counts(self) -> list[tuple[str, date, int]]:
        rows = self.db.table("documented_counts").rows
        return [(r["equipment_type"], date.fromisoformat(r["date"]), r["total"]) for r in rows]
