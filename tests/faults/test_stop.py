"""SIGTERM in the middle of a broadcast, through a real `bulletin-bot run`: the process stops
well inside Docker's 10 s grace, records every send that was on the wire, and a restart
finishes the broadcast with no message lost and none sent twice."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter

from bot.telegram.local_api import LocalBotApi
from tests.faults.test_kill import (
    _eventually,
    _pending,
    bot_config,
    bulletin_bot,
    check_database,
    with_subscribers,
)

SUBSCRIBERS = 1_000
GRACE = 10  # seconds: `docker stop`'s default


def test_sigterm_mid_broadcast_stops_within_the_grace_and_nothing_is_lost_or_repeated(
    tmp_path, fake_api
):
    database = tmp_path / "bulletin.db"
    with_subscribers(database, SUBSCRIBERS, queued=True)

    api = LocalBotApi()
    api.faults.delay = 0.2  # slow answers: many sends on the wire at the stop
    with api.serve() as server:
        config = bot_config(server, fake_api, rate=50)
        process = bulletin_bot(tmp_path, "run", config=config)
        assert api.wait_for(lambda: len(api.sent) > 100, timeout=60)  # 20 s of broadcast
        process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        try:
            process.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError("still running 10 s after SIGTERM") from None
        took = time.monotonic() - stopped
        assert process.returncode == 0, process.stderr.read() if process.stderr else ""
        sent_at_stop = len(api.sent)
        with check_database(database) as connection:
            statuses = dict(
                connection.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
            )
        # Every send that was on the wire was answered and recorded: nothing left in flight.
        assert statuses.get("sending", 0) == 0
        assert statuses["sent"] == sent_at_stop < SUBSCRIBERS

        process = bulletin_bot(tmp_path, "run", config=config)
        try:
            assert _eventually(lambda: _pending(database) == 0, 120), "still pending"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=GRACE)
    got = Counter(m.chat_id for m in api.sent if m.method == "sendMessage")
    assert set(got) == set(range(1, SUBSCRIBERS + 1))
    assert max(got.values()) == 1
    print(f"SIGTERM mid-broadcast: exited 0 in {took:.1f} s, {sent_at_stop} sent before it")
