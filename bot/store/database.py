"""The database file: opening and migrating it, write transactions, health checks and backups.

Every part of the store (reports, corrections, subscribers, ...) is a `Part` over one
`Database`, sharing its connection and its write transactions; `bot.store.Store` is that
database with its parts.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import re
import sqlite3
import struct
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from bot.errors import BulletinBotError
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


P = ParamSpec("P")
T = TypeVar("T")


class StoreError(BulletinBotError):
    """The database cannot be used as it is; the message says what to do."""


class FileReplaced(StoreError):
    """The database file was deleted or replaced while this process had it open."""


class DatabaseFailed(StoreError):
    """SQLite refused: the file is damaged, read-only or full, or another writer held the lock
    past the busy timeout. The message is SQLite's; the sqlite3 error is the cause."""


@contextmanager
def sqlite_failures() -> Iterator[None]:
    """SQLite's errors raised inside, as `DatabaseFailed`."""
    try:
        yield
    except sqlite3.Error as error:
        raise DatabaseFailed(str(error)) from error


def _translated(function: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(function)
    def translated(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except sqlite3.Error as error:
            raise DatabaseFailed(str(error)) from error

    return translated


class StoreMethods:
    """The base of the store's classes: their methods and properties raise SQLite's failures as
    `DatabaseFailed`, a StoreError, so that a caller (the command line, the bot, the console)
    catches the store's one type and never needs sqlite3. Each method a subclass defines is
    wrapped when the class is made: a try around the call, 0.4 µs beside the 20 µs of reading
    one subscriber. (A context manager's statements run after its method has returned:
    `Database._writing` says its failures itself.)

    A method may not be a generator: the rows it yields after returning would fail unwrapped,
    so such a class is refused when it is defined."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if name.startswith("__"):
                continue
            if inspect.isgeneratorfunction(member):
                raise TypeError(f"{cls.__name__}.{name}: a store method may not be a generator")
            if inspect.isfunction(member):
                setattr(cls, name, _translated(member))
            elif isinstance(member, property):
                get, put, drop = (
                    _translated(f) if f else None for f in (member.fget, member.fset, member.fdel)
                )
                setattr(cls, name, property(get, put, drop, member.__doc__))


# A file's identity: (device, inode). A file put in the database's place (a restore by `mv`, a
# copy after `rm`) has another, while the connection goes on reading and writing the one it
# opened.
Identity = tuple[int, int]

# Beside the database: the identity of the file its -wal was written for. SQLite's WAL carries
# nothing that ties it to its database file, and replays whatever -wal lies beside the file it
# opens: another file's pages, over this one (issue 26: "database disk image is malformed").
OWNER = "-wal.owner"
WAL_MAGIC = (0x377F0682, 0x377F0683)  # the -wal header's first 4 bytes, big-endian
# Free space under which the admins are told: a day's broadcast to 100,000 subscribers adds
# about 10 MB of outbox, a WAL between checkpoints 4 MB and more while a long read runs.
MIN_FREE_BYTES = 100_000_000


def identity_of(path: Path) -> Identity | None:
    """The file's (device, inode); None when there is no file."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def beside(path: Path, suffix: str) -> Path:
    """A file SQLite (or this store) keeps beside the database: -wal, -shm, -wal.owner."""
    return path.with_name(path.name + suffix)


def wal_has_frames(wal: Path) -> bool:
    """Whether a -wal holds frames SQLite would replay: a valid header, and a first frame
    stamped with the header's salts (after a restart, old frames carry old salts; an emptied
    -wal is 0 bytes)."""
    try:
        with wal.open("rb") as file:
            header = file.read(32)
            frame = file.read(24)
    except FileNotFoundError:
        return False
    if len(header) < 32 or len(frame) < 24:
        return False
    magic, _, _, _, salt1, salt2 = struct.unpack(">6I", header[:24])
    return magic in WAL_MAGIC and struct.unpack(">2I", frame[8:16]) == (salt1, salt2)


def _recorded_owner(path: Path) -> Identity | None:
    try:
        found = re.fullmatch(r"(\d+) (\d+)\s*", beside(path, OWNER).read_text())
    except (OSError, UnicodeDecodeError):
        return None
    return (int(found[1]), int(found[2])) if found else None


def _record_owner(path: Path, identity: Identity) -> None:
    """Note which file the -wal beside `path` is for (when that changed: a new database, or one
    put in place with no -wal beside it)."""
    if _recorded_owner(path) != identity:
        with contextlib.suppress(OSError):  # a read-only folder: no record, no protection
            owner = beside(path, OWNER)
            fd = os.open(owner, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(f"{identity[0]} {identity[1]}\n")


def check_files_beside(path: Path) -> Identity | None:
    """Before SQLite opens the database at `path`: the -wal and -shm beside it may be used.

    A -wal with frames, written for another file (its owner record names another identity) or
    with no database beside it, is refused, never replayed. A -wal or -shm the bot's user cannot
    write while it can write the database (made while the file was read-only, `chmod 0400`) is
    given the database's mode: SQLite would otherwise refuse to recover after `chmod 600` of the
    file alone. Returns the file's identity (None: no file yet)."""
    identity = identity_of(path)
    wal, shm = beside(path, "-wal"), beside(path, "-shm")
    if identity is not None and os.access(path, os.W_OK):
        mode = path.stat().st_mode & 0o666
        for journal in (wal, shm):
            if journal.exists() and not os.access(journal, os.W_OK):
                with contextlib.suppress(OSError):  # another user's file: SQLite will say
                    os.chmod(journal, mode)
    if not wal_has_frames(wal):
        return identity
    owner = _recorded_owner(path)
    if identity is None:
        raise StoreError(
            f"{path} is missing, but {wal} beside it holds changes to it: they were not applied "
            f"to a new file. Put the database back, or move {wal} and {shm} away to start afresh."
        )
    if owner is not None and owner != identity:
        raise StoreError(
            f"{wal} holds changes to another database file: it was written for the file there "
            f"before (inode {owner[1]}; {path} is inode {identity[1]}). They were not applied: "
            f"SQLite would write them over {path}. To keep {path} as it is, move {wal} and {shm} "
            f"away, then start again; to go back to the file before, put it back in place. (If "
            f"the database and its -wal were moved here together, delete {beside(path, OWNER)}.)"
        )
    return identity


def inserted(done: sqlite3.Cursor | sqlite_utils.db.Table) -> int:
    """The id of the row an INSERT just made: a cursor's, or a sqlite-utils table's last
    (both type it as possibly None)."""
    row_id = done.lastrowid if isinstance(done, sqlite3.Cursor) else done.last_rowid
    assert row_id is not None
    return row_id


def split_commas(stored: str) -> tuple[str, ...]:
    """A comma-separated column ('tanks,artillery') as its items; () for an empty one."""
    return tuple(filter(None, stored.split(",")))


def split_thresholds(stored: str) -> tuple[tuple[str, int], ...]:
    """A subscriber's thresholds as stored ('tanks:10,uav:100') as (('tanks', 10), ('uav', 100))."""
    pairs = (item.rpartition(":") for item in split_commas(stored))
    return tuple((key, int(value)) for key, _, value in pairs)


def moment(text: str | None) -> datetime | None:
    """A stored ISO timestamp, or None for an empty column."""
    return datetime.fromisoformat(text) if text else None


class Database(StoreMethods):
    """One SQLite file, migrated to the current schema when opened."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        # The file opened: every write first checks the path still names it (`_writing`).
        self.identity: Identity | None = None
        in_memory = str(path) == ":memory:"
        try:
            if not in_memory:
                check_files_beside(self.path)
            if not in_memory and not self.path.exists():
                # Subscriber ids and what people typed: readable by the bot's user alone. SQLite
                # gives the -wal and -shm files the database file's permissions.
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            connection = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
            self.db = sqlite_utils.Database(connection, execute_plugins=False)
            self.db.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                self.identity = identity_of(self.path)
                if self.identity is not None:
                    _record_owner(self.path, self.identity)
                self.db.enable_wal()
                # Commits without waiting for the disk (the WAL is synced at checkpoints): a
                # crash of the process loses nothing, a power cut may undo the last commits
                # (a message recorded as sent then may be sent again). Delivery records every
                # send as it is answered, hundreds of commits a second.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except (sqlite3.Error, DatabaseFailed) as error:
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
            with sqlite_failures(), self.db.atomic():  # a savepoint
                yield
            return
        self.check_identity()
        with sqlite_failures():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            else:
                connection.execute("COMMIT")

    def check_identity(self) -> None:
        """Raise FileReplaced if the path no longer names the file this connection opened (a
        stat: microseconds). Its -wal is then emptied into the file it was written for, the one
        this connection has open, so that it can never be replayed into the file now there."""
        if self.identity is None or identity_of(self.path) == self.identity:
            return
        self.empty_wal()
        raise FileReplaced(
            f"the database file {self.path} was deleted or replaced while running: nothing more "
            "is written to it"
        )

    def empty_wal(self) -> None:
        """Write the -wal's frames into the file this connection has open and truncate the
        -wal (a TRUNCATE checkpoint; SQLite's checkpoints write through the connection's own
        descriptor, never by name). Waits at most 2 s for readers; the heartbeat tries again."""
        connection = self.db.conn
        with contextlib.suppress(sqlite3.Error):
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            connection.execute("PRAGMA busy_timeout = 2000")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def size(self) -> tuple[int, int]:
        """(bytes, free bytes) of the database as SQLite sees it, its -wal's changes included:
        free pages are those deleted rows left, which new rows take before the file grows."""
        page_size, pages, free = (
            int(self.db.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("page_size", "page_count", "freelist_count")
        )
        return pages * page_size, free * page_size

    def checkpoint(self) -> None:
        """Copy what the -wal holds into the file, as far as readers allow, without waiting for
        them or holding up writers (a PASSIVE checkpoint). A connection that writes much (the
        outbox's pruning) calls it between its transactions, so the -wal stays short and the
        checkpoint SQLite runs after a commit that takes it past 1,000 pages does not fall to
        another connection's commit (the event loop's)."""
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

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


class Part(StoreMethods):
    """The queries of one kind of thing kept in the database (reports, the outbox, ...), over the
    connection and the write transactions of the one `Database` every part shares: a write
    grouped by `Store.transaction()` may span several parts, and all of it lands or none."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.db = database.db

    def _writing(self) -> AbstractContextManager[None]:
        """A write transaction on the shared connection (`Database._writing`: the write lock
        taken first, the file checked to be the one opened, nested use a savepoint)."""
        return self.database._writing()


@dataclass(frozen=True)
class Checkup:
    """What `examine` found: `problem` says what is wrong and what to do (None: nothing).
    A `fatal` problem stops a bot using the database (it cannot be trusted with writes); the
    others (little free space) are told and watched."""

    problem: str | None = None
    fatal: bool = False
    free_bytes: int | None = None
    integrity_checked: bool = False


def examine(
    path: Path,
    *,
    opened: Identity | None = None,
    integrity: bool = True,
    busy_timeout: float = 10.0,
    min_free: int = MIN_FREE_BYTES,
) -> Checkup:
    """The database at `path` as a new process finds it, for the running bot's heartbeat and for
    `bulletin-bot health`: still the file opened (`opened`), its -wal its own, free space on its
    disk, a write that really reaches the file (a committed transaction, on a new connection:
    what a restart would get, a file made read-only included), and, with `integrity`, SQLite's
    `PRAGMA quick_check` (10 ms on the bundled history, 3 s on a million outbox rows: the bot runs
    it at start and hourly, off its event loop). Blocking: call it in a worker thread."""
    identity = identity_of(path)
    if identity is None:
        return Checkup(f"there is no database at {path}", fatal=True)
    if opened is not None and identity != opened:
        return Checkup(f"the database file {path} was deleted or replaced while running", True)
    free = _free_bytes(path)
    if not os.access(path, os.W_OK):
        mode = path.stat().st_mode & 0o777
        return Checkup(
            f"the database cannot be written: {path} is read-only (mode {mode:04o}): "
            f"chmod 600 {path}",
            True,
            free,
        )
    try:
        check_files_beside(path)
        connection = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        try:
            _write_probe(connection)
            found = _quick_check(connection) if integrity else []
        finally:
            connection.close()
    except StoreError as error:
        return Checkup(str(error), True, free)
    except sqlite3.Error as error:
        if any(w in str(error) for w in ("malformed", "not a database")):
            return Checkup(f"the database is damaged: {error}: {RESTORE}", True, free, integrity)
        full = f" ({free // 1_000_000} MB free)" if "full" in str(error) else ""
        return Checkup(f"the database cannot be written: {error}{full}", True, free, integrity)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        problem = f"the database is damaged: quick_check says {found[0]}{more}: {RESTORE}"
        return Checkup(problem, True, free, True)
    if free < min_free:
        return Checkup(
            f"the disk holding the database has {free // 1_000_000} MB free (under "
            f"{min_free // 1_000_000} MB): writes fail when it is full",
            False,
            free,
            integrity,
        )
    return Checkup(None, False, free, integrity)


RESTORE = "restore a backup (bulletin-bot restore BACKUP)"


def _free_bytes(path: Path) -> int:
    status = os.statvfs(path.parent)
    return status.f_bavail * status.f_frsize


def _write_probe(connection: sqlite3.Connection) -> None:
    """A write that reaches the -wal and commits, and changes nothing: the schema version set
    to itself (a page written, as any write writes one)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        connection.execute(f"PRAGMA user_version = {version}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _quick_check(connection: sqlite3.Connection) -> list[str]:
    """What `PRAGMA quick_check` finds wrong (nothing: [])."""
    rows = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
    return [] if rows == ["ok"] else rows
