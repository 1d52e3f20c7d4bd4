"""What happened, kept for admins: every fetch (ok or not) and every admin action (allowed or
not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.database import Database


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


class Logs(Database):
    """The fetch log and the audit log."""

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

    def consecutive_failed_fetches(self) -> tuple[int, int | None]:
        """How many fetches in a row failed lately, and the id of the first of them."""
        rows = self.db.execute("SELECT id, ok FROM fetches ORDER BY id DESC LIMIT 1000")
        count, first = 0, None
        for fetch_id, ok in rows:
            if ok:
                break
            count, first = count + 1, fetch_id
        return count, first

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
