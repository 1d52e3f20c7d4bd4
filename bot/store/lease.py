"""The running instance: one process at a time runs the bot on a database, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.database import Part


@dataclass(frozen=True)
class Lease:
    """Which process runs the bot on this database, and when it last said so."""

    holder: str
    pid: int
    host: str
    acquired_at: datetime
    heartbeat_at: datetime


class Leases(Part):
    """Taking, renewing and dropping the one lease."""

    def current(self) -> Lease | None:
        """The lease as it stands (None: nobody holds it)."""
        row = next(self.db.table("instance_lease").rows, None)
        if row is None:
            return None
        return Lease(
            row["holder"],
            row["pid"],
            row["host"],
            datetime.fromisoformat(row["acquired_at"]),
            datetime.fromisoformat(row["heartbeat_at"]),
        )

    def take(self, lease: Lease, *, replacing: Lease | None) -> Lease | None:
        """Take the lease for `lease.holder` if it still stands as read: `replacing` is the
        lease the caller saw (None: no lease), holder and last heartbeat. One conditional write
        (compare-and-set), so of two processes that read the same dead holder's lease and
        decided to take it over, one does; the other gets the lease as it now stands, the
        winner's. None when taken."""
        values = [
            lease.holder,
            lease.pid,
            lease.host,
            lease.acquired_at.isoformat(),
            lease.heartbeat_at.isoformat(),
        ]
        with self._writing():
            if replacing is None:
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO instance_lease "
                    "(id, holder, pid, host, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)",
                    values,
                )
            else:
                cursor = self.db.execute(
                    "UPDATE instance_lease SET holder = ?, pid = ?, host = ?, acquired_at = ?, "
                    "heartbeat_at = ? WHERE holder = ? AND heartbeat_at = ?",
                    [*values, replacing.holder, replacing.heartbeat_at.isoformat()],
                )
            if cursor.rowcount == 1:
                return None
            return self.current()

    def renew(self, holder: str, *, now: datetime) -> bool:
        """Say the holder is alive; False if the lease is no longer its own."""
        cursor = self.db.execute(
            "UPDATE instance_lease SET heartbeat_at = ? WHERE holder = ?", [now.isoformat(), holder]
        )
        return cursor.rowcount > 0

    def drop(self, holder: str) -> None:
        self.db.table("instance_lease").delete_where("holder = ?", [holder])
