"""The SQLite store: the schema, its migrations, and every query. The only module that writes SQL.

What was fetched is append-only: a report row keeps the payload exactly as received, its figures
are never updated, and a changed report for a date already stored becomes a new revision beside
the old one. What people see is the *effective* view: for each date, the newest accepted revision.
Later layers (admin corrections) go on top of that view in `effective_totals` and `report_on`,
without touching the fetched rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlite_utils

from bot.report import Finding, Report

ACCEPTED, HELD, REJECTED = "accepted", "held", "rejected"

# Each entry upgrades the schema by one version (PRAGMA user_version). Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL,
            day INTEGER NOT NULL,
            source TEXT NOT NULL,
            link TEXT,
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            revision INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'held', 'rejected')),
            raw TEXT NOT NULL,
            UNIQUE (date, content_hash),
            UNIQUE (date, revision)
        )""",
        "CREATE INDEX reports_by_status_date ON reports (status, date)",
        """CREATE TABLE figures (
            report_id INTEGER NOT NULL REFERENCES reports (id),
            category TEXT NOT NULL,
            total INTEGER NOT NULL CHECK (total >= 0),
            source_increase INTEGER,
            PRIMARY KEY (report_id, category)
        ) WITHOUT ROWID""",
        """CREATE TABLE findings (
            report_id INTEGER NOT NULL REFERENCES reports (id),
            kind TEXT NOT NULL,
            category TEXT,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX findings_by_report ON findings (report_id)",
        """CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            source TEXT NOT NULL,
            ok INTEGER NOT NULL,
            detail TEXT NOT NULL
        )""",
    ),
)


class StoreError(Exception):
    """The database cannot be used as it is; the message says what to do."""


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


@dataclass(frozen=True)
class Fetch:
    at: datetime
    source: str
    ok: bool
    detail: str


class Store:
    """One SQLite file, migrated to the current schema when opened."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        try:
            connection = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
            self.db = sqlite_utils.Database(connection, execute_plugins=False)
            self.db.execute("PRAGMA foreign_keys = ON")
            if str(path) != ":memory:":
                self.db.enable_wal()
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the database {self.path}: {error}") from error

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"the database {self.path} has schema version {current}, newer than this "
                f"bulletin-bot knows ({len(MIGRATIONS)}); upgrade bulletin-bot"
            )
        for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.db.atomic():
                for statement in statements:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all of them land, or none (nested use joins the outer one)."""
        with self.db.atomic():
            yield

    # Writing reports -------------------------------------------------------------------------

    def add_report(
        self, report: Report, status: str, findings: Iterable[Finding], fetched_at: datetime
    ) -> int:
        """Store a new report (or a new revision of a date) with its figures and findings."""
        with self.db.atomic():
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
            report_id = cursor.lastrowid
            self.db.conn.executemany(
                "INSERT INTO figures (report_id, category, total, source_increase) "
                "VALUES (?, ?, ?, ?)",
                [
                    (report_id, category, total, report.increases.get(category))
                    for category, total in report.totals.items()
                ],
            )
            self.db.conn.executemany(
                "INSERT INTO findings (report_id, kind, category, detail) VALUES (?, ?, ?, ?)",
                [(report_id, f.kind, f.category, f.detail) for f in findings],
            )
        return report_id

    def known_hashes(self, since: date | None = None) -> set[tuple[date, str]]:
        """(date, content hash) of every stored revision, to tell a re-fetch from news."""
        rows = self.db.execute(
            "SELECT date, content_hash FROM reports WHERE date >= ?",
            [(since or date.min).isoformat()],
        )
        return {(date.fromisoformat(d), h) for d, h in rows}

    # Reading the effective view --------------------------------------------------------------

    def is_empty(self) -> bool:
        return self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM reports)").fetchone()[0] == 1

    def effective_totals(
        self, since: date | None = None, until: date | None = None
    ) -> dict[date, dict[str, int]]:
        """{date: {category: total}} from the newest accepted revision of each date, in order."""
        rows = self.db.execute(
            f"""SELECT r.date, f.category, f.total
                FROM ({_EFFECTIVE_IDS}) AS e
                JOIN reports r ON r.id = e.id
                JOIN figures f ON f.report_id = r.id
                WHERE r.date BETWEEN ? AND ?
                ORDER BY r.date""",
            [(since or date.min).isoformat(), (until or date.max).isoformat()],
        )
        result: dict[date, dict[str, int]] = {}
        for day, category, total in rows:
            result.setdefault(date.fromisoformat(day), {})[category] = total
        return result

    def report_on(self, day: date) -> StoredReport | None:
        """The effective (newest accepted) report for a date."""
        row = self.db.execute(
            "SELECT id FROM reports WHERE status = ? AND date = ? ORDER BY revision DESC LIMIT 1",
            [ACCEPTED, day.isoformat()],
        ).fetchone()
        return self.report_by_id(row[0]) if row else None

    def latest_date(self, before: date | None = None) -> date | None:
        """The newest date with an accepted report (strictly before `before`, if given)."""
        row = self.db.execute(
            "SELECT MAX(date) FROM reports WHERE status = ? AND date < ?",
            [ACCEPTED, (before or date.max).isoformat()],
        ).fetchone()
        return date.fromisoformat(row[0]) if row[0] else None

    def reports_with_status(self, status: str) -> list[StoredReport]:
        ids = self.db.execute(
            "SELECT id FROM reports WHERE status = ? ORDER BY date, revision", [status]
        ).fetchall()
        return [self.report_by_id(report_id) for (report_id,) in ids]

    def report_by_id(self, report_id: int) -> StoredReport:
        row = next(self.db.query("SELECT * FROM reports WHERE id = ?", [report_id]))
        figures = self.db.execute(
            "SELECT category, total, source_increase FROM figures WHERE report_id = ?",
            [report_id],
        ).fetchall()
        findings = self.db.execute(
            "SELECT kind, category, detail FROM findings WHERE report_id = ? ORDER BY rowid",
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
            findings=tuple(Finding(kind, category, detail) for kind, category, detail in findings),
        )

    def raw_payload(self, report_id: int) -> str:
        return self.db.execute("SELECT raw FROM reports WHERE id = ?", [report_id]).fetchone()[0]

    # Fetch log -------------------------------------------------------------------------------

    def record_fetch(self, fetch: Fetch) -> None:
        self.db.execute(
            "INSERT INTO fetches (at, source, ok, detail) VALUES (?, ?, ?, ?)",
            [fetch.at.isoformat(), fetch.source, int(fetch.ok), fetch.detail],
        )

    def last_fetch(self) -> Fetch | None:
        row = self.db.execute(
            "SELECT at, source, ok, detail FROM fetches ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return Fetch(datetime.fromisoformat(row[0]), row[1], bool(row[2]), row[3])


# The id of the newest accepted revision of each date.
_EFFECTIVE_IDS = f"SELECT MAX(id) AS id FROM reports WHERE status = '{ACCEPTED}' GROUP BY date"
