"""Which days of the effective view changed since a mark: for work read from the whole history
(the record days, the exports), kept between calls (bot/kept.py) and brought up to date by
working out those days again instead of the whole war.

The effective view (bot/store/reports.py) changes in three ways only, each leaving a row to
find it by:

- a report stored as accepted, a new day or a new revision of an old one: a row with an id
  above every earlier one (reports are only ever appended);
- a held report released or rejected (/approve, /reject, a report whose date has come): a held
  row's status changes. An accepted row's status never does;
- a correction made (a new row) or withdrawn (its `withdrawn_at` set).

A `Mark` notes the newest report row, the held ones, how many are accepted, and every
correction with whether it is withdrawn; `since` reads the rows after the newest, the held
ones, and the corrections (a few hundred rows in all, however long the history) and names the
dates they touch. Anything these do not explain (fewer accepted reports than they account for,
the newest row marked gone or with other content: another file in this one's place, a backup
restored into it) is not guessed at: `since` says it cannot tell, and the caller starts over.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from bot.store.database import Part, sqlite_failures
from bot.store.reports import ReportStatus


@dataclass(frozen=True)
class Mark:
    """The rows that say what the effective view was, as `Changes.since` last read them."""

    # The newest report row (any status; 0: none) and its content hash (None: none): the same
    # id with another hash is another file's row.
    newest: int
    newest_hash: str | None
    # How many reports are accepted: what the rows read must account for.
    accepted: int
    # The held reports, any of which may be released or rejected.
    held: frozenset[int]
    # Every correction: (id, date, withdrawn), by id.
    corrections: tuple[tuple[int, date, bool], ...]


class Changes(Part):
    """Reading what changed in the effective view since a `Mark`, in a few rows."""

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One snapshot of the database for the reads inside (a read transaction: in WAL mode
        it holds up no writer), so that a mark and the figures read with it agree. Inside a
        transaction already (a caller's), that one is the snapshot."""
        connection = self.db.conn
        if connection.in_transaction:
            yield
            return
        with sqlite_failures():
            connection.execute("BEGIN")
        try:
            yield
        finally:
            if connection.in_transaction:
                with sqlite_failures():
                    connection.execute("COMMIT")

    def since(self, mark: Mark | None) -> tuple[Mark, set[date] | None]:
        """The mark now, and the dates whose effective figures may differ from what they were
        at `mark`: None when that cannot be told (no mark, or a change the rows do not
        explain), and the caller must read the whole history again."""
        corrections = tuple(
            (i, date.fromisoformat(d), bool(w))
            for i, d, w in self.db.execute(
                "SELECT id, date, withdrawn_at IS NOT NULL FROM corrections ORDER BY id"
            )
        )
        (accepted,) = self.db.execute(
            "SELECT COUNT(*) FROM reports WHERE status = ?", [ReportStatus.ACCEPTED]
        ).fetchone()
        if mark is None:
            return self._fresh(accepted, corrections), None
        # By rowid: the rows from the mark's newest on, and the held ones (an empty IN list
        # would make SQLite scan the whole table).
        held = f" OR id IN ({','.join(str(i) for i in mark.held)})" if mark.held else ""
        rows = self.db.execute(
            f"SELECT id, date, status, content_hash FROM reports WHERE id >= ?{held}",
            [mark.newest],
        ).fetchall()
        by_id = {i: (date.fromisoformat(d), status, h) for i, d, status, h in rows}
        if mark.newest and (mark.newest not in by_id or by_id[mark.newest][2] != mark.newest_hash):
            return self._fresh(accepted, corrections), None
        changed, explained, still_held = set(), mark.accepted, set()
        for report_id, (day, status, _) in by_id.items():
            is_new = report_id > mark.newest
            if not is_new and report_id not in mark.held:
                continue  # the newest row of the mark, unchanged
            if status == ReportStatus.ACCEPTED:
                changed.add(day)
                explained += 1
            elif status == ReportStatus.HELD:
                still_held.add(report_id)
        known = {i: (d, w) for i, d, w in mark.corrections}
        if accepted != explained or len(corrections) < len(known):
            return self._fresh(accepted, corrections), None
        for correction_id, day, withdrawn in corrections:
            was = known.get(correction_id)
            if was != (day, withdrawn):
                changed.add(day)
                if was is not None:
                    changed.add(was[0])  # the same day, unless another file's row
        newest = max(by_id, default=mark.newest)
        return (
            Mark(
                newest,
                by_id[newest][2] if newest in by_id else mark.newest_hash,
                accepted,
                frozenset(still_held),
                corrections,
            ),
            changed,
        )

    def following(self, days: Iterable[date]) -> set[date]:
        """For each day, the first date after it with an accepted report (if there is one):
        the day whose change is counted from it."""
        found = set()
        for day in days:
            (after,) = self.db.execute(
                "SELECT MIN(date) FROM reports WHERE status = ? AND date > ?",
                [ReportStatus.ACCEPTED, day.isoformat()],
            ).fetchone()
            if after is not None:
                found.add(date.fromisoformat(after))
        return found

    def first_date(self) -> date | None:
        """The first date with an accepted report (an index seek, not a count of them all)."""
        (first,) = self.db.execute(
            "SELECT MIN(date) FROM reports WHERE status = ?", [ReportStatus.ACCEPTED]
        ).fetchone()
        return date.fromisoformat(first) if first else None

    def _fresh(self, accepted: int, corrections: tuple[tuple[int, date, bool], ...]) -> Mark:
        """A mark read whole: the newest row, and every held one."""
        newest = self.db.execute(
            "SELECT id, content_hash FROM reports ORDER BY id DESC LIMIT 1"
        ).fetchone()
        held = self.db.execute(
            "SELECT id FROM reports WHERE status = ?", [ReportStatus.HELD]
        ).fetchall()
        return Mark(
            newest[0] if newest else 0,
            newest[1] if newest else None,
            accepted,
            frozenset(i for (i,) in held),
            corrections,
        )
