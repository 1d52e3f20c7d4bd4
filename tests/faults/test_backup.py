"""Backups taken while the bot broadcasts, restored after the database is lost, through real
processes: the restored bot finishes the broadcast, and repeats only what was sent after the
backup was taken (which the backup cannot know)."""

from __future__ import annotations

import signal
import sqlite3
from collections import Counter

from tests.fake_bot_api import LocalBotApi
from tests.faults.test_kill import (
    FILES,
    _eventually,
    _pending,
    bot_config,
    bulletin_bot,
    with_subscribers,
)

SUBSCRIBERS = 600


def run_to_end(process, timeout: float = 60) -> tuple[int, str]:
    _, log = process.communicate(timeout=timeout)
    return process.returncode, log


def sent_in(path) -> set[int]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT chat_id FROM outbox WHERE status = 'sent'")
        return {chat for (chat,) in rows}


def test_a_backup_taken_mid_broadcast_restores_to_a_bot_that_finishes_it(tmp_path, fake_api):
    database = tmp_path / "bulletin.db"
    assert bulletin_bot(tmp_path, "import", *FILES).wait(timeout=60) == 0  # makes the database
    with_subscribers(database, SUBSCRIBERS, queued=True)

    api = LocalBotApi()
    api.faults.delay = 0.01
    with api.serve() as server:
        config = bot_config(server, fake_api, rate=50)
        bot = bulletin_bot(tmp_path, "run", config=config)
        assert api.wait_for(lambda: len(api.sent) > 100, timeout=60)
        backup = tmp_path / "backup.db"
        status, log = run_to_end(bulletin_bot(tmp_path, "backup", str(backup), config=config))
        assert status == 0, log

        # A restore is refused while the bot runs.
        status, log = run_to_end(bulletin_bot(tmp_path, "restore", str(backup), config=config))
        assert status == 1 and "not restored: another bulletin-bot runs" in log

        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=15) == 0
        before_loss = Counter(m.chat_id for m in api.sent if m.method == "sendMessage")
        for name in ("bulletin.db", "bulletin.db-wal", "bulletin.db-shm"):
            (tmp_path / name).unlink(missing_ok=True)  # the disk is lost

        # Something that is no backup is refused.
        junk = tmp_path / "junk.db"
        junk.write_text("not a database")
        status, log = run_to_end(bulletin_bot(tmp_path, "restore", str(junk), config=config))
        assert status == 1 and "not restored" in log

        status, log = run_to_end(bulletin_bot(tmp_path, "restore", str(backup), config=config))
        assert status == 0, log
        with sqlite3.connect(database) as connection:
            active = connection.execute(
                "SELECT COUNT(*) FROM subscribers WHERE status = 'active'"
            ).fetchone()[0]
        assert active == SUBSCRIBERS
        in_backup = sent_in(backup)
        assert 0 < len(in_backup) < SUBSCRIBERS

        bot = bulletin_bot(tmp_path, "run", config=config)
        try:
            assert _eventually(lambda: _pending(database) == 0, 120), "still pending"
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=15)
    got = Counter(m.chat_id for m in api.sent if m.method == "sendMessage")
    assert set(got) == set(range(1, SUBSCRIBERS + 1))  # nothing lost
    repeated = {chat for chat, count in got.items() if count > 1}
    # Only messages sent after the backup was taken can come again: none the backup knew.
    assert not repeated & in_backup
    assert repeated <= set(before_loss) - in_backup
    assert max(got.values()) <= 2  # none more than once again
