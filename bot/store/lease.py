"""The running instance: one process at a time runs the bot on a database, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.database import Database


@dataclass(frozen=True)
class Lease:
    """Which process runs the bot on this database, and when it last said so."""

    holder: str
    pid: int
    host: str
    acquired_at: datetime
    heartbeat_at: datetime


class Leases(Database):
    """Taking, renewing and dropping the one lease."""

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
