"""The database file: opening and migrating it, write transactions, health checks and backups.

Every part of the store (reports, corrections, subscribers, ...) is a subclass of `Database`
and shares its connection; `bot.store.Store` brings them together.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from bot.store.schema import MIGRATIONS


def _import_sqlite_utils() -> ModuleType:
    """sqlite-utils, imported without numpy. It imports numpy when it can, only to map numpy
    types to column types when creating tables from Python values, which this store never
    does; that is 50 ms of every command's start-up. numpy itself stays importable (charts
    need it): it is hidden for the length of this one import."""
    if "numpy" in sys.modules:
        return importlib.import_module("sqlite_utils")
    sys.modules["numpy"] = None  # type: ignore[assignment]  # makes `import numpy` fail
    try:
        return importlib.import_module("sqlite_utils")
    finally:
        del sys.modules["numpy"]


if TYPE_CHECKING:
    import sqlite_utils
else:
    sqlite_utils = _import_sqlite_utils()


class _RolledBack(Exception):
    """Undoes a write that was only a test."""


class StoreError(Exception):
    """The database cannot be used as it is; the message says what to do."""


def inserted(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (sqlite3 types it as possibly None)."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def words(stored: str) -> tuple[str, ...]:
    """A comma-separated column ('tanks,artillery') as its words; () for an empty one."""
    return tuple(filter(None, stored.split(",")))


def moment(text: str | None) -> datetime | None:
    """A stored ISO timestamp, or None for an empty column."""
    return datetime.fromisoformat(text) if text else None


class Database:
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
                # Commits without waiting for the disk (the WAL is synced at checkpoints): a
                # crash of the process loses nothing, a power cut may undo the last commits
                # (a message recorded as sent then may be sent again). Delivery records every
                # send as it is answered, hundreds of commits a second.
                self.db.execute("PRAGMA synchronous = NORMAL")
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

    def check_writable(self) -> None:
        """Write a row and roll it back: raises if the database cannot be written to now
        (read-only file, disk full, locked for longer than the busy timeout)."""
        with contextlib.suppress(_RolledBack), self._writing():
            self.db.execute(
                "INSERT INTO fetches (at, source, ok, detail) VALUES ('', 'health', 1, '')"
            )
            raise _RolledBack

    def backup_to(self, path: Path) -> None:
        """A consistent copy of the whole database at one moment, taken while the bot runs
        (SQLite's online backup: writers are not blocked for long)."""
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        target = sqlite3.connect(path)
        try:
            self.db.conn.backup(target, pages=1024)
            # One file, not a WAL database: reading it (a restore) then leaves no -wal or -shm
            # beside it, which would make it look in use.
            target.execute("PRAGMA journal_mode = DELETE")
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
