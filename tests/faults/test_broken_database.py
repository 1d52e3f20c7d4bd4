"""The database file broken under a running `bulletin-bot run`, through real processes: replaced
(its -wal left beside the new file), made read-only, damaged in the middle, its disk filled.
Each is noticed, told to the admins once with the cause, seen by `health`, and never made worse.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bot.store.database import MIN_FREE_BYTES, wal_has_frames
from tests.bot_harness import BulletinBot, command, write_config
from tests.fake_bot_api import LocalBotApi
from tests.faults.test_instances import started
from tests.faults.test_kill import FILES, bulletin_bot, with_subscribers

ADMIN = 4242


def config(server, fake_api, extra: str = "") -> str:
    """A bot of these stand-ins with an admin, to be told."""
    return (
        f'[telegram]\napi_base_url = "{server.base_url}"\nadmins = [{ADMIN}]\n'
        f'[source]\nurl = "{fake_api.url}"\n{extra}'
    )


def told(api: LocalBotApi) -> list[str]:
    return [m.text for m in api.messages_to(ADMIN)]


@pytest.fixture
def folder(tmp_path) -> Path:
    """A database made as an operator makes one: by a first command (which seeds it)."""
    assert bulletin_bot(tmp_path, "import", *FILES).wait(timeout=60) == 0
    return tmp_path


def subscribe(api: LocalBotApi, chats: range) -> None:
    """People subscribe: writes, which sit in the -wal until a checkpoint."""
    before = len(api.sent)
    for chat in chats:
        api.send_text("/subscribe", chat_id=chat)
    assert api.wait_for(lambda: len(api.sent) >= before + len(chats), timeout=60)


def health(folder: Path) -> tuple[int, str]:
    process = bulletin_bot(folder, "health")
    return process.finish(timeout=60), process.err


def test_a_database_replaced_under_a_running_bot_never_gets_its_wal(folder, fake_api):
    """Before: the bot stopped, but its -wal stayed beside the new file, and the next process
    to open it (`health`, from Docker's HEALTHCHECK) replayed it there: "database disk image is
    malformed", while `health` said ok. Here the bot is stalled (SIGSTOP) when the file is
    replaced, so `health` surely finds the old -wal beside the new file."""
    database, wal = folder / "bulletin.db", folder / "bulletin.db-wal"
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(folder, "run", config=config(server, fake_api))
        assert started(api, 1)
        assert bulletin_bot(folder, "backup", str(folder / "backup.db")).wait(timeout=60) == 0
        subscribe(api, range(1, 41))
        replacement = (folder / "backup.db").read_bytes()
        bot.send_signal(signal.SIGSTOP)
        assert wal_has_frames(wal)
        os.replace(folder / "backup.db", database)  # a restore by hand: a new file

        status, log = health(folder)
        assert database.read_bytes() == replacement  # nothing replayed into it
        assert status == 1
        assert "bulletin.db-wal holds changes to another database file" in log

        bot.send_signal(signal.SIGCONT)
        try:
            bot.wait(timeout=30)  # its next write, or the heartbeat, notices
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running: {bot.stop()}") from None
        log = bot.stop()
        assert bot.returncode == 1
        assert "was deleted or replaced while running" in log
        assert not wal_has_frames(wal)  # emptied into the file it was written for
        assert database.read_bytes() == replacement
        assert told(api) == [
            f"bulletin-bot stopped: the database file {database} was deleted or replaced while "
            "running."
        ]

        again = bulletin_bot(folder, "run", config=config(server, fake_api))
        assert started(api, 2)
        log = again.stop()
        assert again.returncode == 0, log
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT COUNT(*) FROM subscribers").fetchone()[0] == 0


def test_a_stale_wal_after_a_crash_is_refused_with_what_to_do_never_replayed(folder, fake_api):
    database, wal, shm = (folder / f"bulletin.db{suffix}" for suffix in ("", "-wal", "-shm"))
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(folder, "run", config=config(server, fake_api))
        assert started(api, 1)
        assert bulletin_bot(folder, "backup", str(folder / "backup.db")).wait(timeout=60) == 0
        subscribe(api, range(1, 41))
        bot.kill()
        bot.wait(timeout=30)
        assert wal_has_frames(wal)
        os.replace(folder / "backup.db", database)
        replacement = database.read_bytes()

        refused = bulletin_bot(folder, "run", config=config(server, fake_api))
        _, log = refused.communicate(timeout=60)
        assert refused.returncode == 1
        assert f"To keep {database} as it is, move {wal} and {shm} away, then start again" in log
        assert "Traceback" not in log
        assert database.read_bytes() == replacement

        (folder / "aside").mkdir()
        for journal in (wal, shm):  # as the message says
            journal.rename(folder / "aside" / journal.name)
        again = bulletin_bot(folder, "run", config=config(server, fake_api))
        assert started(api, 2)
        log = again.stop()
        assert again.returncode == 0, log


# As the bot's user, who is refused a file `chmod 0400` made read-only (in Docker it is not
# root). Root is refused nothing: run as root, the processes here give up that power
# (CAP_DAC_OVERRIDE), keeping the root-owned files theirs.
AS_OWNER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


def bot_as_owner(folder: Path, *args: str, text: str = "") -> BulletinBot:
    """`bulletin_bot`, refused what the database's owner is refused."""
    config = write_config(folder, f'[storage]\ndatabase = "{folder / "bulletin.db"}"\n{text}')
    return BulletinBot(
        folder,
        *args,
        config=config,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        wrapper=AS_OWNER,
    )


def test_an_operator_command_on_a_read_only_database_says_why_and_what_to_type(tmp_path):
    """`bulletin-bot prune` on a file made read-only said SQLite's "attempt to write a readonly
    database" (the issue 29 tryout); it now says what `health` says: the mode and the chmod."""
    database = tmp_path / "bulletin.db"
    with_subscribers(database, 10, queued=False)
    database.chmod(0o400)
    prune = bot_as_owner(tmp_path, "prune")
    prune.finish(timeout=60)
    assert prune.returncode == 1, prune.err
    assert f"{database} is read-only (mode 0400): chmod 600 {database}" in prune.err, prune.err
    assert "readonly database" not in prune.err


def test_a_database_made_read_only_under_a_running_bot_stops_it_and_is_recovered(
    tmp_path, fake_api
):
    """Before: `chmod 0400` went unnoticed (no log line, no alert, 696 more sends), and the -shm
    a read-only open then left read-only blocked every write after `chmod 600`."""
    folder = tmp_path
    database = folder / "bulletin.db"
    with_subscribers(database, 1_000, queued=True)
    api = LocalBotApi()
    with api.serve() as server:
        text = config(server, fake_api, "[delivery]\nrate_per_second = 25\n")
        bot = bot_as_owner(folder, "run", text=text)
        assert api.wait_for(lambda: len(api.sent) > 50, timeout=60)
        database.chmod(0o400)
        at_chmod = len(api.sent)
        try:
            bot.wait(timeout=30)  # the heartbeat, within 10 s
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running: {bot.stop()}") from None
        log = bot.stop()
        after = len(api.sent) - at_chmod - len(told(api))
        assert bot.returncode == 1
        cause = f"the database cannot be written: {database} is read-only (mode 0400)"
        assert cause in log
        assert [t for t in told(api) if cause in t] == told(api) and len(told(api)) == 1

        status = bot_as_owner(folder, "health", text=text)
        _, log = status.communicate(timeout=60)
        assert status.returncode == 1 and cause in log
        reader = bot_as_owner(folder, "latest", text=text)  # reads: opened read-only
        assert reader.wait(timeout=60) == 0
        shm = folder / "bulletin.db-shm"
        assert shm.stat().st_mode & 0o777 == 0o400  # made by that read-only open

        database.chmod(0o600)
        again = bot_as_owner(folder, "run", text=text)
        assert started(api, 2), again.stop()
        assert shm.stat().st_mode & 0o777 == 0o600  # given the database's mode at start
        log = again.stop()
        assert again.returncode == 0, log
    print(f"chmod 0400 under a broadcast at 25/s: {after} sends after it, then stopped")


def test_a_database_damaged_under_a_running_bot_is_found_by_the_next_check(folder, fake_api):
    """4 KB of random bytes in the middle of the file. Before: nothing noticed, and `health`
    said "database writable" (exit 0) while quick_check said malformed."""
    database = folder / "bulletin.db"
    api = LocalBotApi()
    with api.serve() as server:
        # In the [storage] table `bulletin_bot` opens: the check every minute, not hourly.
        text = "check_every_minutes = 1\n" + config(server, fake_api)
        bot = bulletin_bot(folder, "run", config=text)
        assert started(api, 1)
        with database.open("r+b") as file:  # pages the bot does not write: the history's
            file.seek(database.stat().st_size // 2 // 4096 * 4096)
            file.write(os.urandom(4096))
        damaged = time.monotonic()

        status, log = health(folder)
        assert status == 1 and "unhealthy: the database is damaged" in log

        try:
            bot.wait(timeout=90)  # the next check, within a minute
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running: {bot.stop()}") from None
        noticed = time.monotonic() - damaged
        log = bot.stop()
        assert bot.returncode == 1
        assert "stopping: the database is damaged: " in log
        (alert,) = told(api)
        assert alert.startswith("bulletin-bot stopped: the database is damaged: ")
        assert "restore a backup (bulletin-bot restore BACKUP)" in alert

        refused = bulletin_bot(folder, "run", config=text)
        _, log = refused.communicate(timeout=60)
        assert refused.returncode == 1
        assert "not started: the database is damaged" in log
        assert "restore a backup (bulletin-bot restore BACKUP)" in log
    print(f"4 KB of random bytes: noticed after {noticed:.0f} s (checks every minute)")


def small_disk_available() -> bool:
    try:
        probe = subprocess.run(
            [*UNSHARE, "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


# A mount namespace of its own (and, when not root, a user namespace in which it may mount).
UNSHARE = ["unshare", "--mount", "--propagation", "private"] + ([] if os.geteuid() == 0 else ["-r"])


@pytest.mark.skipif(not small_disk_available(), reason="needs unshare and mount (tmpfs)")
def test_a_full_disk_is_told_to_the_admins_once_with_its_cause_and_seen_by_health(folder, fake_api):
    """The database on a small disk of its own (a tmpfs in the bot's mount namespace), filled
    while the bot runs. Before: the admin typing a command got "Something went wrong", nobody
    was told why, and `health` said ok with 0 bytes free."""
    disk = folder / "disk"
    disk.mkdir()
    size = MIN_FREE_BYTES // 1_000_000 + 60  # room to spare above the floor at start
    api = LocalBotApi()
    with api.serve() as server:
        text = config(server, fake_api).replace(
            "[source]", f'[storage]\ndatabase = "{disk / "bulletin.db"}"\n[source]'
        )
        disk_config = write_config(folder, text, "disk.toml")
        script = (
            f'mount -t tmpfs -o size={size}m tmpfs "{disk}" && '
            f'cp "{folder / "bulletin.db"}" "{disk}/" && exec "$@"'
        )
        bot = BulletinBot(
            folder,
            "run",
            config=disk_config,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            wrapper=[*UNSHARE, "sh", "-c", script, "sh"],
        )
        try:
            assert started(api, 1)
            assert told(api) == []

            def inside(*args: str) -> subprocess.CompletedProcess[str]:
                """A command in the bot's mount namespace, where the small disk is."""
                return subprocess.run(
                    ["nsenter", "--target", str(bot.pid), "--mount", *args],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )

            inside("sh", "-c", f'cat /dev/zero > "{disk}/filler"')  # until the disk is full
            full = time.monotonic()
            checked = inside(*command("health", config=disk_config))
            api.send_text("/subscribe", chat_id=ADMIN)  # a write, as the admin in the issue
            assert api.wait_for(lambda: len(told(api)) >= 2, timeout=30)  # answer and alert
            noticed = time.monotonic() - full
            time.sleep(25)  # two more heartbeats: told once
        finally:
            log = bot.stop()
    assert checked.returncode == 1
    assert "unhealthy:" in checked.stderr and "disk" in checked.stderr, checked.stderr
    alerts = [t for t in told(api) if t.startswith("bulletin-bot")]
    assert len(alerts) == 1, told(api)
    assert "the disk holding the database has 0 MB free" in alerts[0] or "full" in alerts[0]
    print(f"full disk: told in {noticed:.1f} s: {alerts[0]!r}; health: {checked.stderr!r}")
    print(log[-2000:])


def test_little_free_space_is_a_warning_and_a_failed_write_is_fatal(history_store):
    from bot.store.database import examine

    path = history_store.path
    assert examine(path).problem is None
    low = examine(path, min_free=10**18)  # more than any disk has
    assert not low.fatal and low.problem is not None
    assert low.problem.startswith("the disk holding the database has ")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another writer holding the lock
    try:
        locked = examine(path, busy_timeout=0.1)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert locked.fatal and locked.problem == "the database cannot be written: database is locked"
