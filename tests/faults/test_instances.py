"""Two `bulletin-bot run` on one database, and a database deleted under a running bot, through
real processes: one instance at a time, and no silent fresh start."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

from bot import instance
from bot.telegram.local_api import LocalBotApi
from tests.faults.test_kill import FILES, bot_config, bulletin_bot
from tests.test_console import Console


@pytest.fixture
def folder(tmp_path):
    """A database made as an operator makes one: by a first command (which seeds it)."""
    first = bulletin_bot(tmp_path, "import", *FILES)
    assert first.wait(timeout=60) == 0
    return tmp_path


def started(api: LocalBotApi, count: int) -> bool:
    """`count` bots have set their command menus (the last step of start-up)."""
    return api.wait_for(lambda: api.commands_set >= 2 * count, timeout=60)


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    _, log = process.communicate(timeout=15)
    return log


def test_a_second_bot_waits_for_the_first_to_stop_then_takes_over(folder, fake_api):
    api = LocalBotApi()
    with api.serve() as server:
        first = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        assert started(api, 1)
        second = bulletin_bot(folder, "run", "--wait", "30", config=bot_config(server, fake_api))
        time.sleep(3)
        assert second.poll() is None and api.commands_set == 2  # waiting, not started
        assert stop(first) is not None and first.returncode == 0
        assert started(api, 2), "the second bot did not take over"
        log = stop(second)
        assert second.returncode == 0, log


def test_of_two_bots_started_at_once_one_runs_and_the_other_says_why_not(folder, fake_api):
    api = LocalBotApi()
    with api.serve() as server:
        bots = [
            bulletin_bot(folder, "run", "--wait", "3", config=bot_config(server, fake_api))
            for _ in range(2)
        ]
        assert started(api, 1)
        deadline = time.monotonic() + 30
        while all(b.poll() is None for b in bots) and time.monotonic() < deadline:
            time.sleep(0.1)
        refused = [b for b in bots if b.poll() is not None]
        assert len(refused) == 1, "both bots run on one database"
        (running,) = [b for b in bots if b is not refused[0]]
        log = stop(refused[0])
        assert refused[0].returncode == 1
        assert "another bulletin-bot runs on this database: pid" in log
        assert "Traceback" not in log
        stop(running)
        assert running.returncode == 0
        assert api.commands_set == 2  # only one of them ever started


def test_a_database_deleted_under_a_running_bot_stops_it_and_is_not_silently_recreated(
    folder, fake_api
):
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        assert started(api, 1)
        for name in ("bulletin.db", "bulletin.db-wal", "bulletin.db-shm"):
            (folder / name).unlink(missing_ok=True)
        try:
            bot.wait(timeout=30)  # the heartbeat notices within 10 s
        except subprocess.TimeoutExpired:
            log = stop(bot)
            raise AssertionError(f"the bot went on without its database: {log}") from None
        log = stop(bot)
        assert bot.returncode == 1
        assert "was deleted or replaced while running" in log

        again = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        _, log = again.communicate(timeout=30)
        assert again.returncode == 1
        assert "is gone, but one was created there" in log
        assert not (folder / "bulletin.db").exists()
    health = bulletin_bot(folder, "health")
    _, log = health.communicate(timeout=30)
    assert health.returncode == 1 and "there is no database at" in log
    assert not (folder / "bulletin.db").exists()


def console(folder, config: str, script: str = "/latest tanks\n") -> subprocess.CompletedProcess:
    """`bulletin-bot console` on the folder's database, reading `script`."""
    (folder / "console.toml").write_text(
        f'[storage]\ndatabase = "{folder / "bulletin.db"}"\n{config}'
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(folder / "console.toml"), "console"],
        cwd=folder,
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_console_is_refused_on_the_database_of_a_running_bot(folder, fake_api):
    """Before: the console sent every due message of the bot's subscribers into its own
    stand-in (marked sent, never delivered to them)."""
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        try:
            assert started(api, 1)
            result = console(folder, bot_config(server, fake_api))
        finally:
            log = stop(bot)
        assert bot.returncode == 0, log
    assert (result.returncode, result.stdout) == (1, ""), result.stdout
    assert result.stderr.startswith(
        "console not started: another bulletin-bot runs on this database: "
        f"pid {bot.pid} on {socket.gethostname()}"
    )
    assert "bulletin-bot backup COPY.db" in result.stderr and result.stderr.count("\n") == 1


def test_a_console_holds_the_database_for_as_long_as_it_runs(folder):
    """A lease is free once not renewed for its TTL: the console renews it, so a `restore`
    is refused however long its operator takes."""
    session = subprocess.Popen(
        [sys.executable, "-m", "bot", "console"],
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep((instance.TTL + instance.HEARTBEAT).total_seconds())
        backup = bulletin_bot(folder, "backup", str(folder / "backup.db"))
        assert backup.wait(timeout=60) == 0
        restore = bulletin_bot(folder, "restore", str(folder / "backup.db"))
        _, log = restore.communicate(timeout=60)
        assert restore.returncode == 1
        assert f"not restored: another bulletin-bot runs on this database: pid {session.pid}" in log
    finally:
        _, err = session.communicate(input="", timeout=60)
    assert (session.returncode, err) == (0, "")


def test_a_console_stopped_for_longer_than_its_lease_answers_nothing_more(folder):
    """Ctrl-Z: the console's lease is not renewed, and a `restore` takes the database. When the
    console goes on, it says so and stops, rather than answer from a database not its own."""
    assert bulletin_bot(folder, "backup", str(folder / "backup.db")).wait(timeout=60) == 0
    session = Console(folder)
    try:
        session.say("/latest tanks", expect="Tanks: 12,251")
        time.sleep(2)  # the stand-in has shown the answer: let it reach the bot, which waits
        session.process.send_signal(signal.SIGSTOP)
        time.sleep((instance.TTL + instance.HEARTBEAT / 5).total_seconds())
        restore = bulletin_bot(folder, "restore", str(folder / "backup.db"))
        _, log = restore.communicate(timeout=60)
        assert restore.returncode == 0, log
    finally:
        session.process.send_signal(signal.SIGCONT)
    assert session.process.stdin is not None
    session.process.stdin.write(b"/latest tanks\n")
    status, err = session.end()
    assert status == 1 and session.printed.count(b"bot> ") == 1  # no answer after
    assert err == (
        "console stopped: another process took the database's lease while the console was stopped\n"
    )
