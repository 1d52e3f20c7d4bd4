"""SIGTERM in the middle of a broadcast, through a real `bulletin-bot run`: the process stops
well inside Docker's 10 s grace, records every send that was on the wire, and a restart
finishes the broadcast with no message lost and none sent twice."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import threading
import time
from collections import Counter

from bot.store.outbox import SendError
from tests.fake_bot_api import LocalBotApi
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


class TricklingSource:
    """A source on loopback that accepts every request and answers it a byte every 2 s, for
    ever: httpx's timeouts, each for one read, never fire. (A hung source is the same, minus
    the bytes.)"""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.requests: list[float] = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/v2"

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.requests.append(time.monotonic())
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            connection.sendall(b"Content-Length: 100000\r\n\r\n")
            while not self.closed.wait(2):
                connection.sendall(b" ")

    def close(self) -> None:
        self.closed.set()
        self.listener.close()


def test_a_poll_on_a_trickling_source_ends_at_its_deadline_and_sigterm_does_not_wait_for_it(
    tmp_path,
):
    """Before: the read timeout was per read, so a source trickling a byte every few seconds
    held a poll for as long as it liked (the bot was still running 90 s after SIGTERM), and a
    hung one held the stop for 43.8 s. Now each request has a 30 s deadline, and a stop cancels
    the poll at once."""
    with_subscribers(tmp_path / "bulletin.db", 1, queued=False)
    source = TricklingSource()
    api = LocalBotApi()
    try:
        with api.serve() as server:
            process = bulletin_bot(tmp_path, "run", config=bot_config(server, source))
            assert api.wait_for(lambda: bool(source.requests), timeout=60)  # the first poll
            first = source.requests[0]
            deadline = first + 30 + 5  # the deadline, the 1-2 s backoff, the second attempt
            while len(source.requests) < 2 and time.monotonic() < deadline + 30:
                time.sleep(0.2)
            assert len(source.requests) >= 2, "the first attempt never ended"
            ended = source.requests[1] - first
            process.send_signal(signal.SIGTERM)  # the second attempt is trickling
            stopped = time.monotonic()
            try:
                process.wait(timeout=GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                raise AssertionError("still running 10 s after SIGTERM") from None
            took = time.monotonic() - stopped
            _, log = process.communicate()
    finally:
        source.close()
    assert process.returncode == 0, log
    assert "error='no complete answer within 30 s'" in log
    assert 30 <= ended < 45
    print(f"trickling source: an attempt ended after {ended:.1f} s; SIGTERM to exit {took:.1f} s")


def test_sigterm_under_slow_telegram_records_what_it_did_not_hear_back_and_repeats_only_that(
    tmp_path, fake_api
):
    """Telegram answering each send after 8 s, longer than the 5 s the stop gives them. Before:
    49 rows were left 'sending' and went again after the restart, while the README said a
    SIGTERM repeats nothing. Now each send on the wire unanswered at the stop is recorded so
    and queued again; those, and only those, can arrive twice."""
    database = tmp_path / "bulletin.db"
    with_subscribers(database, 300, queued=True)
    api = LocalBotApi()
    api.faults.delay = 8.0
    with api.serve() as server:
        config = bot_config(server, fake_api, rate=25)
        process = bulletin_bot(tmp_path, "run", config=config)
        assert api.wait_for(lambda: len(api.sent) > 20, timeout=60)
        process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        try:
            process.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError("still running 10 s after SIGTERM") from None
        took = time.monotonic() - stopped
        with check_database(database) as connection:
            statuses = dict(
                connection.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
            )
            unanswered = connection.execute(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND last_error = ?",
                [SendError.UNANSWERED],
            ).fetchone()[0]
        assert statuses.get("sending", 0) == 0, f"{statuses} {took:.1f} s"
        assert unanswered > 0  # at 8 s answers, some always are

        api.faults.delay = 0
        process = bulletin_bot(tmp_path, "run", config=config)
        try:
            assert _eventually(lambda: _pending(database) == 0, 120), "still pending"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=GRACE)
        time.sleep(8)  # the stand-in records a send when it answers: the last unanswered ones
    got = Counter(m.chat_id for m in api.sent if m.method == "sendMessage")
    assert set(got) == set(range(1, 301))
    repeats = sum(count - 1 for count in got.values())
    assert repeats <= unanswered
    print(
        f"SIGTERM under 8 s answers: exit in {took:.1f} s, {unanswered} unanswered at the stop "
        f"and queued again, {repeats} sent twice"
    )
