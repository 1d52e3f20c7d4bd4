"""What happened, kept for admins: every fetch (ok or not) and every admin action (allowed or
not); and the last download of each file a source sent an ETag with, to ask next time whether
it changed."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime

from bot.store.database import Part


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
    newest: date | None = None  # the newest date the source had (a fetch that answered)


_FETCH_COLUMNS = "at, source, ok, detail, newest"


class Logs(Part):
    """The fetch log and the audit log."""

    def record_fetch(self, fetch: Fetch) -> None:
        self.db.table("fetches").insert(
            {
                "at": fetch.at.isoformat(),
                "source": fetch.source,
                "ok": int(fetch.ok),
                "detail": fetch.detail,
                "newest": fetch.newest.isoformat() if fetch.newest else None,
            }
        )

    def last_fetch(self, source: str | None = None) -> Fetch | None:
        """The newest fetch (of `source`, or of any: then an ok one, when one poll asked
        several sources and one of them answered)."""
        where, values = ("WHERE source = ?", [source]) if source else ("", [])
        row = self.db.execute(
            f"SELECT {_FETCH_COLUMNS} FROM fetches {where} ORDER BY at DESC, ok DESC, id DESC "
            "LIMIT 1",
            values,
        ).fetchone()
        return _fetch(row) if row else None

    def last_good_fetch(self, source: str) -> Fetch | None:
        row = self.db.execute(
            f"SELECT {_FETCH_COLUMNS} FROM fetches WHERE source = ? AND ok ORDER BY id DESC "
            "LIMIT 1",
            [source],
        ).fetchone()
        return _fetch(row) if row else None

    def consecutive_failed_fetches(self, source: str) -> tuple[int, int | None]:
        """How many fetches of `source` in a row failed lately, and the id of the first."""
        rows = self.db.execute(
            "SELECT id, ok FROM fetches WHERE source = ? ORDER BY id DESC LIMIT 1000", [source]
        )
        count, first = 0, None
        for fetch_id, ok in rows:
            if ok:
                break
            count, first = count + 1, fetch_id
        return count, first

    def failed_polls_in_a_row(self, up_to: int) -> int:
        """How many of the latest polls failed in a row (counting up to `up_to`): polls in
        which no source answered. A poll asks every source at once, and its fetches share
        their time."""
        failed, current, answered = 0, None, False
        for at, ok in self.db.execute("SELECT at, ok FROM fetches ORDER BY id DESC"):
            if at != current:
                if current is not None:
                    if answered or failed + 1 >= up_to:
                        return failed + (not answered)
                    failed += 1
                current, answered = at, False
            answered = answered or bool(ok)
        return failed + (current is not None and not answered)

    def download(self, url: str) -> tuple[str, str] | None:
        """The last download kept of `url`: (its ETag, its text)."""
        row = next(self.db.table("downloads").rows_where("url = ?", [url]), None)
        return (row["etag"], zlib.decompress(row["body"]).decode("utf-8")) if row else None

    def keep_download(self, url: str, etag: str, text: str) -> None:
        """Keep a download in place of the last one of `url` (compressed: the dataset's files
        are 920 KB of JSON, about 100 KB so)."""
        body = zlib.compress(text.encode("utf-8"))
        with self._writing():
            self.db.table("downloads").upsert({"url": url, "etag": etag, "body": body}, pk="url")

    def audit(self, actor: str, action: str, *, allowed: bool, detail: str, now: datetime) -> None:
        self.db.table("audit_log").insert(
            {
                "at": now.isoformat(),
                "actor": actor,
                "action": action,
                "allowed": int(allowed),
                "detail": detail,
            }
        )

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        rows = self.db.table("audit_log").rows_where(order_by="id DESC", limit=limit)
        return [
            AuditEntry(
                datetime.fromisoformat(row["at"]),
                row["actor"],
                row["action"],
                bool(row["allowed"]),
                row["detail"],
            )
            for row in rows
        ]


def _fetch(row: tuple[str, str, int, str, str | None]) -> Fetch:
    at, source, ok, detail, newest = row
    return Fetch(
        datetime.fromisoformat(at),
        source,
        bool(ok),
        detail,
        date.fromisoformat(newest) if newest else None,
    )
