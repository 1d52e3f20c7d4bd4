"""Admin corrections: laid over fetched figures, never written into them, and withdrawn by a
newer row rather than deleted, so the log keeps every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.store.database import Part, inserted, moment


@dataclass(frozen=True)
class Correction:
    id: int
    date: date
    category: str
    old_value: int | None
    new_value: int
    reason: str
    author: str
    created_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None


class Corrections(Part):
    """The corrections log, and the correction in force for each (date, category)."""

    def add(
        self,
        day: date,
        category: str,
        old_value: int | None,
        new_value: int,
        *,
        reason: str,
        author: str,
        now: datetime,
    ) -> Correction:
        table = self.db.table("corrections").insert(
            {
                "date": day.isoformat(),
                "category": category,
                "old_value": old_value,
                "new_value": new_value,
                "reason": reason,
                "author": author,
                "created_at": now.isoformat(),
            }
        )
        return self.get(inserted(table))  # type: ignore[return-value]

    def withdraw(self, correction_id: int, *, author: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE corrections SET withdrawn_at = ?, withdrawn_by = ? "
            "WHERE id = ? AND withdrawn_at IS NULL",
            [now.isoformat(), author, correction_id],
        )

    def get(self, correction_id: int) -> Correction | None:
        rows = self._corrections("WHERE id = ?", [correction_id])
        return rows[0] if rows else None

    def log(self, day: date | None = None, limit: int = 50) -> list[Correction]:
        """The log, newest first (withdrawn ones included), of one date or all."""
        where = "WHERE date = ?" if day else ""
        return self._corrections(
            f"{where} ORDER BY id DESC LIMIT ?", [*([day.isoformat()] if day else []), limit]
        )

    def live(self, since: date | None, until: date | None) -> list[Correction]:
        """The correction in force for each (date, category): the newest not withdrawn.
        Oldest first."""
        return self._corrections(
            "WHERE id IN (SELECT MAX(id) FROM corrections WHERE withdrawn_at IS NULL "
            "AND date BETWEEN ? AND ? GROUP BY date, category) ORDER BY id",
            [(since or date.min).isoformat(), (until or date.max).isoformat()],
        )

    def _corrections(self, clause: str, parameters: list[object]) -> list[Correction]:
        return [
            Correction(
                id=row["id"],
                date=date.fromisoformat(row["date"]),
                category=row["category"],
                old_value=row["old_value"],
                new_value=row["new_value"],
                reason=row["reason"],
                author=row["author"],
                created_at=datetime.fromisoformat(row["created_at"]),
                withdrawn_at=moment(row["withdrawn_at"]),
                withdrawn_by=row["withdrawn_by"],
            )
            for row in self.db.query(f"SELECT * FROM corrections {clause}", parameters)
        ]
