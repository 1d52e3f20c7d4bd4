"""The SQLite store: the schema, its migrations, and every query. The only module that writes SQL.

What was fetched is append-only: a report row keeps the payload exactly as received, its figures
are never updated, and a changed report for a date already stored becomes a new revision beside
the old one. What people see is the *effective* view: for each date, the newest accepted revision.
Later layers (admin corrections) go on top of that view in `effective_totals` and `report_on`,
without touching the fetched rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.report import Finding, Report


class ReportStatus(StrEnum):
    """What became of a fetched report: shown, waiting for an admin, or never shown."""

    ACCEPTED = "accepted"
    HELD = "held"
    REJECTED = "rejected"


class SubscriberStatus(StrEnum):
    """Blocked (the user blocked the bot) and gone (chat not found) are set by delivery,
    unsubscribed by the subscriber."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BLOCKED = "blocked"
    GONE = "gone"


class DeliveryStatus(StrEnum):
    """An outbox row's state; it is 'sending' only while its message is in flight."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxKind(StrEnum):
    """What an outbox row sends; its subject says of what (bot/notices.py writes each)."""

    # A fresh bulletin brings these; their subject is the bulletin's ISO date.
    BULLETIN = "bulletin"
    CHART = "chart"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    # Notices: the subject names what they are about.
    CORRECTION = "correction"
    ERRATA = "errata"
    ANNOUNCEMENT = "announcement"
    ALERT = "alert"


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
    (
        """CREATE TABLE subscribers (
            chat_id INTEGER PRIMARY KEY,
            chat_type TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed', 'blocked', 'gone')),
            send_at TEXT,
            timezone TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'en',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status_reason TEXT
        )""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            due_at TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (chat_id, kind, subject)
        )""",
        "CREATE INDEX outbox_due ON outbox (status, due_at)",
    ),
    (
        """CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL,
            category TEXT NOT NULL,
            old_value INTEGER,
            new_value INTEGER NOT NULL CHECK (new_value >= 0),
            reason TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            withdrawn_at TEXT,
            withdrawn_by TEXT
        )""",
        "CREATE INDEX corrections_by_date ON corrections (date, category)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            allowed INTEGER NOT NULL,
            detail TEXT NOT NULL
        )""",
        """CREATE TABLE announcements (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE alerts (
            key TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
    ),
    (
        """CREATE TABLE chats (
            chat_id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            chosen INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )""",
        "INSERT INTO chats (chat_id, language, chosen, updated_at) "
        "SELECT chat_id, language, 0, updated_at FROM subscribers",
    ),
    (
        "ALTER TABLE subscribers ADD COLUMN digests TEXT NOT NULL DEFAULT 'daily'",
        "ALTER TABLE subscribers ADD COLUMN with_chart INTEGER NOT NULL DEFAULT 0",
    ),
    (
        # The one running bot of this database (bot/instance.py); at most one row.
        """CREATE TABLE instance_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL
        )""",
    ),
    # A finding's figures and dates, so it can be said in the reader's language.
    ("ALTER TABLE findings ADD COLUMN facts TEXT",),
)


class _RolledBack(Exception):
    """Undoes a write that was only a test."""


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
    # Admin corrections applied to `totals` (the effective view only), by category.
    corrections: dict[str, Correction] = field(default_factory=dict)


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


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    allowed: bool
    detail: str


@dataclass(frozen=True)
class Fetch:
    at: datetime
    source: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Lease:
    """Which process runs the bot on this database, and when it last said so."""

    holder: str
    pid: int
    host: str
    acquired_at: datetime
    heartbeat_at: datetime


@dataclass(frozen=True)
class Subscriber:
    chat_id: int
    chat_type: str
    status: str
    send_at: str | None  # "HH:MM" local time; None: as soon as a bulletin is accepted
    timezone: str
    created_at: datetime
    updated_at: datetime
    status_reason: str | None = None
    digests: tuple[str, ...] = ("daily",)  # daily, weekly, monthly
    with_chart: bool = False


@dataclass(frozen=True)
class Delivery:
    """One message to one chat: kind and subject say what (a bulletin of a date, ...)."""

    id: int
    chat_id: int
    kind: str
    subject: str
    due_at: datetime
    attempts: int
    language: str = "en"


@dataclass(frozen=True)
class DeliveryResult:
    """How a send attempt ended: sent, pending again (due later), failed or skipped."""

    id: int
    status: str
    error: str | None = None
    due_at: datetime | None = None
    attempt: bool = True  # False when Telegram asked to wait (429): that try does not count


def _inserted(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (sqlite3 types it as possibly None)."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _finding(kind: str, category: str | None, detail: str, facts: str | None) -> Finding:
    """A stored finding (one stored before findings kept their facts has none)."""
    return Finding(kind, category, detail, tuple(json.loads(facts).items()) if facts else ())


class Store:
    """One SQLite file, migrated to the current schema when opened."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:" and not self.path.exists():
                # Subscriber ids and what people typed: readable by the bot's user alone. SQLite
                # gives the -wal and -shm files the database file's permissions.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
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
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"the database {self.path} has schema version {current}, newer than this "
                f"bulletin-bot knows ({len(MIGRATIONS)}); upgrade bulletin-bot"
            )
        for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
            with self._writing():
                for statement in statements:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all of them land, or none (nested use joins the outer one)."""
        with self._writing():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write transaction that takes the write lock first (BEGIN IMMEDIATE).

        A plain BEGIN reads first and asks for the write lock later; if another writer holds
        it then, SQLite answers "database is locked" at once instead of waiting the busy
        timeout. Nested use becomes a savepoint of the outer transaction.
        """
        connection = self.db.conn
        if connection.in_transaction:
            with self.db.atomic():  # a savepoint
                yield
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        else:
            connection.execute("COMMIT")

    # Writing reports -------------------------------------------------------------------------

    def add_report(
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
            report_id = _inserted(cursor)
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

    # Reading the effective view --------------------------------------------------------------

    def is_empty(self) -> bool:
        return bool(self.db.execute("SELECT NOT EXISTS (SELECT 1 FROM reports)").fetchone()[0])

    def effective_totals(
        self, since: date | None = None, until: date | None = None, *, corrected: bool = True
    ) -> dict[date, dict[str, int]]:
        """{date: {category: total}} from the newest accepted revision of each date, in order,
        with the corrections in force laid over it (unless `corrected` is False)."""
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
        if corrected:
            for correction in self.live_corrections(since, until):
                if correction.date in result:
                    result[correction.date][correction.category] = correction.new_value
        return result

    def effective_reports_meta(
        self, since: date | None = None, until: date | None = None
    ) -> dict[date, tuple[int, str | None, str]]:
        """{date: (day number, link, source)} of each date's effective revision, in one read."""
        rows = self.db.execute(
            f"""SELECT r.date, r.day, r.link, r.source FROM ({_EFFECTIVE_IDS}) AS e
                JOIN reports r ON r.id = e.id WHERE r.date BETWEEN ? AND ? ORDER BY r.date""",
            [(since or date.min).isoformat(), (until or date.max).isoformat()],
        )
        return {date.fromisoformat(d): (day, link, source) for d, day, link, source in rows}

    def report_on(self, day: date) -> StoredReport | None:
        """The effective report for a date: the newest accepted revision, corrections applied."""
        report = self.newest_revision(day, ReportStatus.ACCEPTED)
        return self.corrected(report) if report else None

    def corrected(self, report: StoredReport) -> StoredReport:
        """A revision (accepted or held) with the corrections in force for its date laid over
        its figures, as readers see it or would see it once released."""
        applied = {c.category: c for c in self.live_corrections(report.date, report.date)}
        if not applied:
            return report
        totals = {**report.totals, **{k: c.new_value for k, c in applied.items()}}
        return replace(report, totals=totals, corrections=applied)

    def set_report_status(self, report_id: int, status: str) -> None:
        """Accept or reject a held report: its fetched content stays as it was."""
        self.db.execute("UPDATE reports SET status = ? WHERE id = ?", [status, report_id])

    def newest_revision(self, day: date, status: str) -> StoredReport | None:
        """The newest revision of a date with this status, as fetched (no corrections)."""
        row = self.db.execute(
            "SELECT id FROM reports WHERE status = ? AND date = ? ORDER BY revision DESC LIMIT 1",
            [status, day.isoformat()],
        ).fetchone()
        return self.report_by_id(row[0]) if row else None

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

    def data_version(self) -> tuple[int, ...]:
        """Changes whenever what people see could change: reports accepted, corrections made
        or withdrawn. Cheap enough to ask on every chart request."""
        return tuple(
            self.db.execute(
                "SELECT (SELECT COUNT(*) FROM reports WHERE status = ?), "
                "(SELECT COALESCE(MAX(id), 0) FROM reports WHERE status = ?), "
                "(SELECT COUNT(*) FROM corrections), "
                "(SELECT COUNT(withdrawn_at) FROM corrections)",
                [ReportStatus.ACCEPTED, ReportStatus.ACCEPTED],
            ).fetchone()
        )

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

    def stored_categories(self) -> set[str]:
        """Every category any stored report has a figure for."""
        return {key for (key,) in self.db.execute("SELECT DISTINCT category FROM figures")}

    def notes(self, day: date | None = None) -> list[tuple[date, Finding]]:
        """What validation noted on the accepted revisions people see, oldest first (of one
        date, or all)."""
        rows = self.db.execute(
            f"""SELECT r.date, f.kind, f.category, f.detail, f.facts FROM ({_EFFECTIVE_IDS}) AS e
                JOIN reports r ON r.id = e.id JOIN findings f ON f.report_id = r.id
                WHERE r.date BETWEEN ? AND ? ORDER BY r.date, f.rowid""",
            [(day or date.min).isoformat(), (day or date.max).isoformat()],
        )
        return [(date.fromisoformat(day), _finding(*finding)) for day, *finding in rows]

    # Corrections ---------------------------------------------------------------------------

    def add_correction(
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
        cursor = self.db.execute(
            "INSERT INTO corrections (date, category, old_value, new_value, reason, author, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [day.isoformat(), category, old_value, new_value, reason, author, now.isoformat()],
        )
        return self.correction(_inserted(cursor))  # type: ignore[return-value]

    def withdraw_correction(self, correction_id: int, *, author: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE corrections SET withdrawn_at = ?, withdrawn_by = ? "
            "WHERE id = ? AND withdrawn_at IS NULL",
            [now.isoformat(), author, correction_id],
        )

    def correction(self, correction_id: int) -> Correction | None:
        rows = self._corrections("WHERE id = ?", [correction_id])
        return rows[0] if rows else None

    def corrections(self, day: date | None = None, limit: int = 50) -> list[Correction]:
        """The log, newest first (withdrawn ones included), of one date or all."""
        where = "WHERE date = ?" if day else ""
        return self._corrections(
            f"{where} ORDER BY id DESC LIMIT ?", [*([day.isoformat()] if day else []), limit]
        )

    def live_corrections(self, since: date | None, until: date | None) -> list[Correction]:
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
                withdrawn_at=_moment(row["withdrawn_at"]),
                withdrawn_by=row["withdrawn_by"],
            )
            for row in self.db.query(f"SELECT * FROM corrections {clause}", parameters)
        ]

    # Audit, announcements, alerts ----------------------------------------------------------

    def audit(self, actor: str, action: str, *, allowed: bool, detail: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO audit_log (at, actor, action, allowed, detail) VALUES (?, ?, ?, ?, ?)",
            [now.isoformat(), actor, action, int(allowed), detail],
        )

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        rows = self.db.execute(
            "SELECT at, actor, action, allowed, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            [limit],
        ).fetchall()
        return [AuditEntry(datetime.fromisoformat(a), b, c, bool(d), e) for a, b, c, d, e in rows]

    def add_announcement(self, text: str, *, author: str, now: datetime) -> int:
        cursor = self.db.execute(
            "INSERT INTO announcements (text, author, created_at) VALUES (?, ?, ?)",
            [text, author, now.isoformat()],
        )
        return cursor.lastrowid  # type: ignore[return-value]

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

    def recipients_of(self, kind: str, subject: str) -> list[int]:
        """Chats a message of this kind and subject was sent to."""
        rows = self.db.execute(
            "SELECT chat_id FROM outbox WHERE kind = ? AND subject = ? AND status = ?",
            [kind, subject, DeliveryStatus.SENT],
        )
        return [chat_id for (chat_id,) in rows]

    def outbox_counts_since(self, since: datetime) -> dict[str, int]:
        """Messages by status among those due since `since` (today's deliveries, say)."""
        rows = self.db.execute(
            "SELECT status, COUNT(*) FROM outbox WHERE due_at >= ? GROUP BY status",
            [since.isoformat()],
        )
        return dict(rows.fetchall())

    def consecutive_failed_fetches(self) -> tuple[int, int | None]:
        """How many fetches in a row failed lately, and the id of the first of them."""
        rows = self.db.execute("SELECT id, ok FROM fetches ORDER BY id DESC LIMIT 1000")
        count, first = 0, None
        for fetch_id, ok in rows:
            if ok:
                break
            count, first = count + 1, fetch_id
        return count, first

    def subscriber_languages(self) -> dict[str, int]:
        """Active subscribers by the language their summaries go out in."""
        rows = self.db.execute(
            "SELECT COALESCE(c.language, 'en'), COUNT(*) FROM subscribers s "
            "LEFT JOIN chats c USING (chat_id) WHERE s.status = ? GROUP BY 1",
            [SubscriberStatus.ACTIVE],
        )
        return dict(rows.fetchall())

    def check_writable(self) -> None:
        """Write a row and roll it back: raises if the database cannot be written to now
        (read-only file, disk full, locked for longer than the busy timeout)."""
        with contextlib.suppress(_RolledBack), self._writing():
            self.db.execute(
                "INSERT INTO fetches (at, source, ok, detail) VALUES ('', 'health', 1, '')"
            )
            raise _RolledBack

    # Backups ---------------------------------------------------------------------------------

    def backup_to(self, path: Path) -> None:
        """A consistent copy of the whole database at one moment, taken while the bot runs
        (SQLite's online backup: writers are not blocked for long)."""
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        target = sqlite3.connect(path)
        try:
            self.db.conn.backup(target, pages=1024)
        finally:
            target.close()

    def restore_from(self, path: Path) -> None:
        """Replace this database's content with a backup's, checked first: a file that is not a
        bulletin-bot database, is damaged, or is newer than this program is refused, and this
        database is left as it was."""
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                check = source.execute("PRAGMA quick_check").fetchone()[0]
                version = source.execute("PRAGMA user_version").fetchone()[0]
                tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
                if check != "ok":
                    raise StoreError(f"{path} is damaged: {check}")
                if "reports" not in tables or not 0 < version <= len(MIGRATIONS):
                    raise StoreError(
                        f"{path} is not a bulletin-bot database this version can use "
                        f"(schema version {version})"
                    )
                source.backup(self.db.conn)
            finally:
                source.close()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot restore from {path}: {error}") from error
        self._migrate()
        # The backup may name the bot that ran when it was taken: that process is not this one.
        self.db.execute("DELETE FROM instance_lease")

    # The running instance ------------------------------------------------------------------

    def take_lease(self, lease: Lease, *, expired_before: datetime) -> Lease | None:
        """Take the lease for `lease.holder` unless another holder renewed it since
        `expired_before`; None when taken, else the other holder's lease. Atomic: of two
        processes starting at once, one gets it."""
        with self._writing():
            row = self.db.execute(
                "SELECT holder, pid, host, acquired_at, heartbeat_at FROM instance_lease"
            ).fetchone()
            if row is not None:
                other = Lease(
                    row[0],
                    row[1],
                    row[2],
                    datetime.fromisoformat(row[3]),
                    datetime.fromisoformat(row[4]),
                )
                if other.holder != lease.holder and other.heartbeat_at >= expired_before:
                    return other
            self.db.execute(
                "INSERT OR REPLACE INTO instance_lease "
                "(id, holder, pid, host, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)",
                [
                    lease.holder,
                    lease.pid,
                    lease.host,
                    lease.acquired_at.isoformat(),
                    lease.heartbeat_at.isoformat(),
                ],
            )
        return None

    def renew_lease(self, holder: str, *, now: datetime) -> bool:
        """Say the holder is alive; False if the lease is no longer its own."""
        cursor = self.db.execute(
            "UPDATE instance_lease SET heartbeat_at = ? WHERE holder = ?", [now.isoformat(), holder]
        )
        return cursor.rowcount > 0

    def drop_lease(self, holder: str) -> None:
        self.db.execute("DELETE FROM instance_lease WHERE holder = ?", [holder])

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

    # Subscribers -----------------------------------------------------------------------------

    def subscribe(
        self,
        chat_id: int,
        chat_type: str,
        *,
        send_at: str | None,
        timezone: str,
        now: datetime,
        digests: tuple[str, ...] = ("daily",),
        with_chart: bool = False,
    ) -> Subscriber:
        """Start or change a chat's summaries; a blocked or gone chat that asks is back.

        The summaries' language is the chat's (`chats`); the old subscribers.language column
        keeps its default and is read by nothing."""
        self.db.execute(
            """INSERT INTO subscribers
               (chat_id, chat_type, status, send_at, timezone, created_at, updated_at,
                digests, with_chart)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET
                   chat_type = excluded.chat_type, status = excluded.status,
                   send_at = excluded.send_at, timezone = excluded.timezone,
                   updated_at = excluded.updated_at, status_reason = NULL,
                   digests = excluded.digests, with_chart = excluded.with_chart""",
            [
                chat_id,
                chat_type,
                SubscriberStatus.ACTIVE,
                send_at,
                timezone,
                now.isoformat(),
                now.isoformat(),
                ",".join(digests),
                int(with_chart),
            ],
        )
        return self.subscriber(chat_id)  # type: ignore[return-value]

    def chat_language(self, chat_id: int) -> str | None:
        row = self.db.execute("SELECT language FROM chats WHERE chat_id = ?", [chat_id]).fetchone()
        return row[0] if row else None

    def set_chat_language(
        self, chat_id: int, language: str, *, chosen: bool, now: datetime
    ) -> None:
        """Remember a chat's language; one the chat chose is never replaced by a guess."""
        self.db.execute(
            """INSERT INTO chats (chat_id, language, chosen, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,
                   chosen = excluded.chosen, updated_at = excluded.updated_at
               WHERE excluded.chosen OR NOT chats.chosen""",
            [chat_id, language, int(chosen), now.isoformat()],
        )

    def subscriber(self, chat_id: int) -> Subscriber | None:
        rows = list(self.db.query("SELECT * FROM subscribers WHERE chat_id = ?", [chat_id]))
        return _subscriber(rows[0]) if rows else None

    def active_subscribers(self) -> list[Subscriber]:
        return [
            _subscriber(row)
            for row in self.db.query(
                "SELECT * FROM subscribers WHERE status = ? ORDER BY chat_id",
                [SubscriberStatus.ACTIVE],
            )
        ]

    def set_subscriber_status(
        self, chat_id: int, status: str, *, now: datetime, reason: str | None = None
    ) -> bool:
        """Change a subscriber's status; False if the chat has no subscription row."""
        cursor = self.db.execute(
            "UPDATE subscribers SET status = ?, status_reason = ?, updated_at = ? "
            "WHERE chat_id = ?",
            [status, reason, now.isoformat(), chat_id],
        )
        return cursor.rowcount > 0

    def forget_chat(self, chat_id: int) -> None:
        """Remove a chat's subscription, queued messages and language (the console's own
        chat, so nothing of it waits for a real bot on the same database)."""
        with self._writing():
            self.db.execute("DELETE FROM outbox WHERE chat_id = ?", [chat_id])
            self.db.execute("DELETE FROM subscribers WHERE chat_id = ?", [chat_id])
            self.db.execute("DELETE FROM chats WHERE chat_id = ?", [chat_id])

    def move_chat(self, old_id: int, new_id: int, *, now: datetime) -> None:
        """A group became a supergroup with a new id: its subscription and queue follow it."""
        with self._writing():
            self.db.execute(
                "UPDATE OR IGNORE subscribers SET chat_id = ?, chat_type = 'supergroup', "
                "updated_at = ? WHERE chat_id = ?",
                [new_id, now.isoformat(), old_id],
            )
            self.db.execute(
                "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ? AND status IN (?, ?)",
                [new_id, old_id, DeliveryStatus.PENDING, DeliveryStatus.SENDING],
            )
            self.db.execute(
                "UPDATE OR IGNORE chats SET chat_id = ? WHERE chat_id = ?", [new_id, old_id]
            )

    def subscriber_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM subscribers GROUP BY status")
        return dict(rows.fetchall())

    # Outbox ----------------------------------------------------------------------------------

    def enqueue(self, deliveries: Iterable[tuple[int, str, str, datetime]]) -> int:
        """Queue (chat_id, kind, subject, due_at) rows; a row already queued is left alone.

        The UNIQUE (chat_id, kind, subject) constraint is what makes each message go out at
        most once, however often the same bulletin is accepted or the bot restarts.
        """
        with self._writing():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO outbox (chat_id, kind, subject, due_at, status) "
                "VALUES (?, ?, ?, ?, ?)",
                [(c, k, s, due.isoformat(), DeliveryStatus.PENDING) for c, k, s, due in deliveries],
            )
            return self.db.conn.total_changes - before

    def claim_due(self, now: datetime, limit: int) -> list[Delivery]:
        """Mark up to `limit` due messages as in flight and return them, oldest due first."""
        with self._writing():
            rows = self.db.execute(
                "SELECT o.id, o.chat_id, o.kind, o.subject, o.due_at, o.attempts, "
                "COALESCE(c.language, 'en') FROM outbox o LEFT JOIN chats c USING (chat_id) "
                "WHERE o.status = ? AND o.due_at <= ? ORDER BY o.due_at, o.id LIMIT ?",
                [DeliveryStatus.PENDING, now.isoformat(), limit],
            ).fetchall()
            self.db.conn.executemany(
                "UPDATE outbox SET status = ?, attempts = attempts + 1 WHERE id = ?",
                [(DeliveryStatus.SENDING, row[0]) for row in rows],
            )
        return [
            Delivery(i, chat, kind, subject, datetime.fromisoformat(due), attempts + 1, language)
            for i, chat, kind, subject, due, attempts, language in rows
        ]

    def finish(self, results: Iterable[DeliveryResult], *, now: datetime) -> None:
        """Record how a batch of sends ended, in one transaction."""
        with self._writing():
            for result in results:
                if result.status == DeliveryStatus.PENDING:
                    self.db.execute(
                        "UPDATE outbox SET status = ?, due_at = ?, last_error = ?, "
                        "attempts = attempts - ? WHERE id = ?",
                        [
                            DeliveryStatus.PENDING,
                            (result.due_at or now).isoformat(),
                            result.error,
                            0 if result.attempt else 1,
                            result.id,
                        ],
                    )
                else:
                    self.db.execute(
                        "UPDATE outbox SET status = ?, last_error = ?, sent_at = ? WHERE id = ?",
                        [
                            result.status,
                            result.error,
                            now.isoformat() if result.status == DeliveryStatus.SENT else None,
                            result.id,
                        ],
                    )

    def release_in_flight(self) -> int:
        """After a crash, messages that were in flight go back to the queue (and may repeat)."""
        cursor = self.db.execute(
            "UPDATE outbox SET status = ? WHERE status = ?",
            [DeliveryStatus.PENDING, DeliveryStatus.SENDING],
        )
        return cursor.rowcount

    def pending_count(self) -> int:
        """Messages waiting or in flight (uses the outbox_due index; cheap on a huge outbox)."""
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM outbox WHERE status IN (?, ?)",
                [DeliveryStatus.PENDING, DeliveryStatus.SENDING],
            ).fetchone()[0]
        )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _subscriber(row: dict[str, Any]) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        status=row["status"],
        send_at=row["send_at"],
        timezone=row["timezone"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        status_reason=row["status_reason"],
        digests=tuple(row["digests"].split(",")),
        with_chart=bool(row["with_chart"]),
    )


# The id of the newest accepted revision of each date.
_EFFECTIVE_IDS = (
    f"SELECT MAX(id) AS id FROM reports WHERE status = '{ReportStatus.ACCEPTED}' GROUP BY date"
)
