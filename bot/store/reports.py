"""Fetched reports and their revisions, and the *effective* view readers see.

What was fetched is append-only: a report row keeps the payload exactly as received, its figures
are never updated, and a changed report for a date already stored becomes a new revision beside
the old one. The effective view is, for each date, the newest accepted revision, with the
corrections in force laid over it (`effective_totals`, `on`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from bot.report import Finding, Report
from bot.store.corrections import Correction, Corrections
from bot.store.database import Database, Part, inserted


class ReportStatus(StrEnum):
    """What became of a fetched report: shown, waiting for an admin, or never shown."""

    ACCEPTED = "accepted"
    HELD = "held"
    REJECTED = "rejected"


@dataclass(frozen=True)
class StoredReport:
    id: int
    date: date
    day: int
    source: str
    link: str | None
    fetched_at: datetime
    revision: int
    status: str
    totals: dict[str, int]
    increases: dict[str, int]
    findings: tuple[Finding, ...]
    # Admin corrections applied to `totals` (the effective view only), by category.
    corrections: dict[str, Correction] = field(default_factory=dict)


# The id of the newest accepted revision of each date from the first parameter to the second:
# a range scan of the (status, date) index, so a week's read costs a week however long the
# history.
_EFFECTIVE_IDS = (
    f"SELECT MAX(id) AS id FROM reports WHERE status = '{ReportStatus.ACCEPTED}' "
    "AND date BETWEEN ? AND ? GROUP BY date"
)


def _finding(kind: str, category: str | None, detail: str, facts: str | None) -> Finding:
    """A stored finding (one stored before findings kept their facts has none)."""
    return Finding(kind, category, detail, tuple(json.loads(facts).items()) if facts else ())


class Reports(Part):
    """Storing what a fetch brought, and reading it back as fetched or as readers see it (with
    `corrections` laid over it)."""

    def __init__(self, database: Database, corrections: Corrections) -> None:
        super().__init__(database)
        self.corrections = corrections

    def add(
        self, report: Report, status: str, findings: Iterable[Finding], fetched_at: datetime
    ) -> int:
        """Store a new report (or a new revision of a date) with its figures and findings."""
        with self._writing():
            revision = self.db.execute(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM reports WHERE date = ?",
                [report.date.isoformat()],
            ).fetchone()[0]
            cursor = self.db.execute(
                """INSERT INTO reports
                   (date, day, source, link, fetched_at, content_hash, revision, status, raw)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    report.date.isoformat(),
                    report.war_day,
                    report.source,
                    report.link,
                    fetched_at.isoformat(),
                    report.content_hash(),
                    revision,
                    status,
                    report.raw,
                ],
            )
            report_id = inserted(cursor)
            self.db.conn.executemany(
                "INSERT INTO figures (report_id, category, total, source_increase) "
                "VALUES (?, ?, ?, ?)",
                [
                    (report_id, category, total, report.increases.get(category))
                    for category, total in report.totals.items()
                ],
            )
            self.db.conn.executemany(
                "INSERT INTO findings (report_id, kind, category, detail, facts) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (report_id, f.kind, f.category, f.detail, json.dumps(dict(f.facts)))
                    for f in findings
                ],
            )
        return report_id

    def known_hashes(self, since: date | None = None) -> dict[tuple[date, str], tuple[int, str]]:
        """{(date, content hash): (report id, status)} of every stored revision from `since`,
        to tell a re-fetch from news."""
        rows = self.db.execute(
            "SELECT date, content_hash, id, status FROM reports WHERE date >= ?",
            [(since or date.min).isoformat()],
        )
        return {(date.fromisoformat(d), h): (i, s) for d, h, i, s in rows}

    def is_empty(self) -> bool:
        return bool(self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM reports)").fetchone()[0])

    def effective_totals(
        self,
        since: date | None = None,
        until: date | None = None,
        *,
        corrected: bool = True,
        only: Collection[str] | None = None,
    ) -> dict[date, dict[str, int]]:
        """{date: {category: total}} from the newest accepted revision of each date, in order,
        with the corrections in force laid over it (unless `corrected` is False); of the
        categories in `only`, if given."""
        chosen = f"AND f.category IN ({', '.join('?' * len(only))})" if only is not None else ""
        rows = self.db.execute(
            f"""SELECT r.date, f.category, f.total
                FROM ({_EFFECTIVE_IDS}) AS e
                JOIN reports r ON r.id = e.id
                JOIN figures f ON f.report_id = r.id {chosen}
                ORDER BY r.date""",
            [(since or date.min).isoformat(), (until or date.max).isoformat(), *(only or ())],
        )
        result: dict[date, dict[str, int]] = {}
        for day, category, total in rows:
            result.setdefault(date.fromisoformat(day), {})[category] = total
        if corrected:
            for correction in self.corrections.live(since, until):
                if only is not None and correction.category not in only:
                    continue
                if correction.date in result:
                    result[correction.date][correction.category] = correction.new_value
        return result

    def effective_meta(
        self, since: date | None = None, until: date | None = None
    ) -> dict[date, tuple[int, str | None, str]]:
        """{date: (day number, link, source)} of each date's effective revision, in one read."""
        rows = self.db.execute(
            f"""SELECT r.date, r.day, r.link, r.source FROM ({_EFFECTIVE_IDS}) AS e
                JOIN reports r ON r.id = e.id ORDER BY r.date""",
            [(since or date.min).isoformat(), (until or date.max).isoformat()],
        )
        return {date.fromisoformat(d): (day, link, source) for d, day, link, source in rows}

    def on(self, day: date) -> StoredReport | None:
        """The effective report for a date: the newest accepted revision, corrections applied."""
        report = self.newest_revision(day, ReportStatus.ACCEPTED)
        return self.corrected(report) if report else None

    def corrected(self, report: StoredReport) -> StoredReport:
        """A revision (accepted or held) with the corrections in force for its date laid over
        its figures, as readers see it or would see it once released."""
        applied = {c.category: c for c in self.corrections.live(report.date, report.date)}
        if not applied:
            return report
        totals = {**report.totals, **{k: c.new_value for k, c in applied.items()}}
        return replace(report, totals=totals, corrections=applied)

    def set_status(self, report_id: int, status: str) -> None:
        """Accept or reject a held report: its fetched content stays as it was."""
        self.db.table("reports").update(report_id, {"status": status})

    def newest_revision(self, day: date, status: str) -> StoredReport | None:
        """The newest revision of a date with this status, as fetched (no corrections)."""
        row = self.db.execute(
            "SELECT id FROM reports WHERE status = ? AND date = ? ORDER BY revision DESC LIMIT 1",
            [status, day.isoformat()],
        ).fetchone()
        return self.by_id(row[0]) if row else None

    def latest_date(self, before: date | None = None) -> date | None:
        """The newest date with an accepted report (strictly before `before`, if given)."""
        row = self.db.execute(
            "SELECT MAX(date) FROM reports WHERE status = ? AND date < ?",
            [ReportStatus.ACCEPTED, (before or date.max).isoformat()],
        ).fetchone()
        return date.fromisoformat(row[0]) if row[0] else None

    def newest_live_date(self, today: date) -> date | None:
        """The newest date up to `today` with a report accepted or waiting for an admin: the
        bulletin people are waiting for. A held report dated after today does not count."""
        row = self.db.execute(
            "SELECT MAX(date) FROM reports WHERE status IN (?, ?) AND date <= ?",
            [ReportStatus.ACCEPTED, ReportStatus.HELD, today.isoformat()],
        ).fetchone()
        return date.fromisoformat(row[0]) if row[0] else None

    # The last data_version worked out, and the state of the file it was worked out at.
    _known_version: tuple[tuple[int, int], tuple[int, ...]] | None = None

    def data_version(self) -> tuple[int, ...]:
        """Changes whenever what people see could change: reports accepted, corrections made
        or withdrawn, Oryx's counts imported (by the command line: another process; each
        import counted, store/documented.py). Asked on every reader's request (the answers kept
        for crowds are kept per value of it), so the tables are asked again only after
        something was written: by this connection (its total_changes), or by another (SQLite's
        data_version). Not that count itself: the heartbeat's write probe every 10 s, pruning
        and queueing commit on connections of their own, and each commit dropped every answer
        kept (records, charts, exports read, drawn and uploaded again), as often as every 10 s."""
        written = (self.db.conn.total_changes, self.db.execute("PRAGMA data_version").fetchone()[0])
        if self._known_version is not None and self._known_version[0] == written:
            return self._known_version[1]
        version = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM reports WHERE status = ?), "
            # The newest accepted id, by rowid from the end (+status: not by the status index,
            # which would visit every accepted report).
            "COALESCE((SELECT id FROM reports WHERE +status = ? ORDER BY id DESC LIMIT 1), 0), "
            "(SELECT COUNT(*) FROM corrections), "
            "(SELECT COUNT(withdrawn_at) FROM corrections), "
            "(SELECT count FROM documented_changes)",
            [ReportStatus.ACCEPTED, ReportStatus.ACCEPTED],
        ).fetchone()
        self._known_version = (written, tuple(version))
        return self._known_version[1]

    def date_range(self) -> tuple[date | None, date | None, int]:
        """The first and last dates with an accepted report, and how many dates have one."""
        first, last, count = self.db.execute(
            "SELECT MIN(date), MAX(date), COUNT(DISTINCT date) FROM reports WHERE status = ?",
            [ReportStatus.ACCEPTED],
        ).fetchone()
        return (
            date.fromisoformat(first) if first else None,
            date.fromisoformat(last) if last else None,
            count,
        )

    def revisions(self, day: date) -> list[StoredReport]:
        """Every revision stored for a date, whatever became of it, oldest first, as fetched."""
        ids = self.db.execute(
            "SELECT id FROM reports WHERE date = ? ORDER BY revision", [day.isoformat()]
        ).fetchall()
        return [self.by_id(report_id) for (report_id,) in ids]

    def with_status(self, status: str) -> list[StoredReport]:
        ids = self.db.execute(
            "SELECT id FROM reports WHERE status = ? ORDER BY date, revision", [status]
        ).fetchall()
        return [self.by_id(report_id) for (report_id,) in ids]

    def by_id(self, report_id: int) -> StoredReport:
        row = next(self.db.query("SELECT * FROM reports WHERE id = ?", [report_id]))
        figures = self.db.execute(
            "SELECT category, total, source_increase FROM figures WHERE report_id = ?",
            [report_id],
        ).fetchall()
        findings = self.db.execute(
            "SELECT kind, category, detail, facts FROM findings WHERE report_id = ? ORDER BY rowid",
            [report_id],
        ).fetchall()
        return StoredReport(
            id=row["id"],
            date=date.fromisoformat(row["date"]),
            day=row["day"],
            source=row["source"],
            link=row["link"],
            fetched_at=datetime.fromisoformat(row["fetched_at"]),
            revision=row["revision"],
            status=row["status"],
            totals={category: total for category, total, _ in figures},
            increases={c: inc for c, _, inc in figures if inc is not None},
            findings=tuple(_finding(*row) for row in findings),
        )

    def categories(self) -> set[str]:
        """Every category any stored report has a figure for."""
        return {key for (key,) in self.db.execute("SELECT DISTINCT category FROM figures")}

    def notes(self, day: date | None = None) -> list[tuple[date, Finding]]:
        """What validation noted on the accepted revisions people see, oldest first (of one
        date, or all)."""
        rows = self.db.execute(
            f"""SELECT r.date, f.kind, f.category, f.detail, f.facts FROM ({_EFFECTIVE_IDS}) AS e
                JOIN reports r ON r.id = e.id JOIN findings f ON f.report_id = r.id
                ORDER BY r.date, f.rowid""",
            [(day or date.min).isoformat(), (day or date.max).isoformat()],
        )
        return [(date.fromisoformat(day), _finding(*finding)) for day, *finding in rows]
