"""Running the bot for real: `bulletin-bot run` as a process, webhook mode, the console."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot import metrics
from bot.clock import FixedClock
from bot.config import Config, WebhookConfig
from bot.ingest import ingest
from bot.render import to_plain
from bot.store import Shape, Store, SummaryFormat
from bot.telegram.app import build, running
from bot.telegram.console import CHAT_ID as console_chat
from bot.telegram.services import Services
from bot.texts import format_date
from tests.bot_harness import ADMIN, BulletinBot, run_bulletin_bot, write_config
from tests.conftest import NOW
from tests.fake_bot_api import LocalBotApi
from tests.fake_statistics_api import FakeStatisticsApi, Server, api_records

SECRET = "123456:AAH-very-secret-token-value"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SECRET_HEADER = b"X-Telegram-Bot-Api-Secret-Token: s3cret-token"


def raw_status(port: int, headers: bytes) -> int:
    """The status of a POST to the webhook with these header lines, sent byte for byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /telegram HTTP/1.1\r\nHost: bot\r\n" + headers + b"\r\n")
        return int(sock.recv(1024).split(b" ", 2)[1])


def latest_tanks_update(chat_id: int) -> dict:
    """What Telegram posts to a webhook when someone in a private chat sends /latest tanks."""
    return {
        "update_id": chat_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
            "text": "/latest tanks",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }


def console(folder, script: str, *options: str) -> subprocess.CompletedProcess:
    """`bulletin-bot console` as a process in `folder`, reading `script`."""
    return run_bulletin_bot(folder, "console", *options, script=script)


def eventually(condition: Callable[[], bool], timeout: float) -> bool:
    """Check a condition on something the stand-in does not see change (a database) until it
    holds or time runs out; the timeout is a ceiling for a loaded machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def nothing_due(database) -> bool:
    """The outbox of a running bot has no message due now that is waiting or in flight. A row
    is marked sent once Telegram has answered its send, so what the bot was to send by now
    has all reached the stand-in."""
    now = datetime.now(UTC).isoformat()
    with contextlib.closing(sqlite3.connect(database, timeout=5)) as connection:
        (due,) = connection.execute(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= ?",
            [now],
        ).fetchone()
    return due == 0


def start_process(tmp_path, config_text: str, *args: str) -> BulletinBot:
    """`bulletin-bot -v ARGS` with this config and the secret token, logging what it does."""
    config = write_config(tmp_path, config_text)
    return BulletinBot(tmp_path, "-v", *args, config=config, token=SECRET)


def bot_process(tmp_path, config_text: str, *args: str) -> BulletinBot:
    """`bulletin-bot run` as a process; as a context manager, stopped by SIGTERM however the
    block ends, its log (`err`) kept once it has stopped."""
    return start_process(tmp_path, config_text, "run", *args)


def test_run_answers_then_stops_cleanly_on_sigterm_without_logging_the_token(tmp_path, fake_api):
    api = LocalBotApi()
    with (
        api.serve() as server,
        bot_process(
            tmp_path,
            f'[telegram]\napi_base_url = "{server.base_url}"\n'
            f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n'
            f'[source]\nurl = "{fake_api.url}"\n',
        ) as bot,
    ):
        assert api.wait_for(lambda: api.commands_set >= 2, timeout=60), "no start-up"
        api.send_text("/latest tanks", chat_id=42)
        assert api.wait_for(lambda: api.messages_to(42), timeout=30)
        assert "Tanks: 12,251" in api.messages_to(42)[0].text
        # The poll job ran against the loopback source.
        assert api.wait_for(lambda: fake_api.api.requests, timeout=30)
    log = bot.err
    assert bot.returncode == 0, log
    assert SECRET not in log
    assert "Application.stop() complete" in log
    # The bundled latest day and the days before it, re-read: the source's links for them.
    assert "poll lead=api result=15 revised" in log


def test_run_tries_again_while_telegram_is_out_of_reach_then_gives_up_and_frees_the_lease(
    tmp_path,
):
    """It exited at once ("could not start: cannot connect"), the error logged twice."""
    (tmp_path / "config.toml").write_text(
        '[telegram]\napi_base_url = "http://127.0.0.1:9/bot"\n'  # nothing listens there
    )
    result = run_bulletin_bot(tmp_path, "run", "--patience", "3", token=SECRET)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    # Tries at 0, 1 and 3 s: one line each, the last one the reason for giving up.
    assert [line.split(" level=")[1].split(": cannot connect")[0] for line in lines[:-1]] == [
        "WARNING logger=bot.cli Telegram out of reach at start-up (try 1)",
        "WARNING logger=bot.cli Telegram out of reach at start-up (try 2)",
    ]
    assert lines[0].endswith("; trying again in 1 s (for up to 3 s)")
    assert lines[1].endswith("; trying again in 2 s (for up to 3 s)")
    assert lines[-1].startswith("could not start: cannot connect to 127.0.0.1:9")
    assert lines[-1].endswith(" (tried 3 times over 3 s)")
    assert SECRET not in result.stderr
    with sqlite3.connect(tmp_path / "bulletin.db") as connection:
        assert connection.execute("SELECT * FROM instance_lease").fetchall() == []
    connection.close()


def test_run_starts_once_telegram_can_be_reached(tmp_path, fake_api):
    port = free_port()
    api = LocalBotApi()
    with bot_process(
        tmp_path,
        f'[telegram]\napi_base_url = "http://127.0.0.1:{port}/bot"\n'
        f'[source]\nurl = "{fake_api.url}"\n',
    ) as bot:
        # Two tries, a second apart, before Telegram is there.
        bot.read_until("Telegram out of reach at start-up", stream="stderr", count=2)
        with api.serve(port=port):
            assert api.wait_for(lambda: api.commands_set >= 2, timeout=60), "no start-up"
            api.send_text("/latest tanks", chat_id=42)
            assert api.wait_for(lambda: api.messages_to(42), timeout=30)
    assert bot.returncode == 0, bot.err
    assert "could not start" not in bot.err


def test_run_without_a_token_says_how_to_get_one(tmp_path):
    result = run_bulletin_bot(tmp_path, "run", token=None, timeout=60)
    assert result.returncode == 2
    assert "No bot token: set BULLETIN_BOT_TOKEN" in result.stderr
    assert "bulletin-bot console" in result.stderr


def test_webhook_mode_needs_a_secret(tmp_path):
    process = start_process(tmp_path, "", "run", "--webhook", "https://example.org/telegram")
    assert process.finish(timeout=60) == 2
    assert "Webhook mode needs a secret" in process.err


async def test_the_webhook_refuses_requests_without_the_secret(history_store, caplog):
    port = free_port()
    config = Config(webhook=WebhookConfig(port=port, secret_token="s3cret-token"))
    api = LocalBotApi()
    with api.serve() as server:
        application = build(
            Services(config, history_store, FixedClock(NOW)),
            token="1:test",
            base_url=server.base_url,
        )
        async with running(application, webhook_url="https://example.org/telegram"):
            update = latest_tanks_update(77)
            url = f"http://127.0.0.1:{port}/telegram"
            async with httpx.AsyncClient() as client:
                refused = await client.post(url, json=update)
                wrong = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                )
                accepted = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
                )
            assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
            assert await asyncio.to_thread(api.wait_for, lambda: api.messages_to(77))
            assert len(api.messages_to(77)) == 1

            # A stranger's big body is refused before it is read; anyone's body over 1 MB too;
            # a body that is no update is a 400, not a 500.
            secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            big = b"x" * 5_000_000

            async def answer(**request) -> int | str:
                """The status, or "closed" when the server hung up on the body unread."""
                try:
                    async with httpx.AsyncClient() as client:
                        return (await client.post(url, **request)).status_code
                except httpx.TransportError:  # hung up while the body was still coming
                    return "closed"

            assert await answer(content=big) in (403, 413, "closed")
            assert await answer(content=big, headers=secret) in (413, "closed")
            assert await answer(content=b"{not json", headers=secret) == 400
            assert await answer(json=[1, 2], headers=secret) == 400
            assert await answer(json=update, headers={**secret, "Content-Length": "-1"}) != 200
            assert len(api.messages_to(77)) == 1

            # A Content-Length of digits that are not ASCII ('²'.isdigit() is True, int('²')
            # fails; tornado reads header bytes as Latin-1) is a 400 with one line in the log,
            # not a 500 and a traceback. (Raw bytes: httpx will not send such a header.)
            with caplog.at_level(logging.WARNING):
                for length in (b"\xb2", b"\xb9\xb3", b"1" * 40):
                    head = b"Content-Length: " + length + b"\r\n" + SECRET_HEADER + b"\r\n"
                    status = await asyncio.to_thread(raw_status, port, head)
                    assert status == 400, length
            assert "Traceback" not in caplog.text and "Uncaught exception" not in caplog.text
            assert caplog.text.count("webhook: bad Content-Length") == 3

            # Strangers are counted in the metrics, not logged a line each (tornado's default:
            # a WARNING per refusal, 196 KB for 2,000).
            refused = metrics.WEBHOOK_REQUESTS.labels("403")
            before = refused._value.get()
            caplog.clear()
            with caplog.at_level(logging.INFO):
                async with httpx.AsyncClient() as client:
                    for _ in range(50):
                        assert (await client.post(url, json=update)).status_code == 403
            assert refused._value.get() - before == 50
            server_lines = [r for r in caplog.records if not r.name.startswith("httpx")]
            assert server_lines == []  # (httpx's are this test's own requests)


@pytest.mark.parametrize("script", ["/latest tanks\n#History: tanks\n/on 25.06.2022 apv\n"])
def test_the_console_is_scriptable_from_standard_input(tmp_path, script):
    result = console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The console runs on today's date, long after the bundled history ends: it says so first.
    assert "you> /latest tanks\nbot> ⚠️ These are the figures of 8 August 2026," in out
    assert "Russian losses since 24 Feb 2022 (claimed by Ukraine's General Staff)" in out
    assert "Tanks: 12,251 (+4)" in out
    assert "you> #History: tanks\nbot> " in out and "Tanks, last 7 days" in out
    assert "Armoured combat vehicles: 3,645 (+8)" in out
    assert json.dumps("Traceback") not in out and "Traceback" not in result.stderr


def moved_to_today(tmp_path, dataset_reports) -> tuple[date, Store, FakeStatisticsApi]:
    """For a real `run` on today's real date: a database with the dataset's last 120 days moved
    so that its last day is today (and not stored yet), and an API stand-in with those days."""
    today = datetime.now(ZoneInfo("Europe/Kyiv")).date()
    shift = today - date(2026, 8, 8)
    store = Store(tmp_path / "bulletin.db")
    history = [replace(r, date=r.date + shift) for r in dataset_reports[-120:-1]]
    ingest(store, history, now=datetime.now(UTC), today=today, hold_suspicious=False)
    records = {
        day + shift: {**r, "date": str(day + shift)}
        for day, r in api_records(since=date(2026, 7, 1)).items()
    }
    return today, store, FakeStatisticsApi(records)


def test_a_misprint_held_and_corrected_reaches_a_subscriber_corrected_through_run(
    tmp_path, dataset_reports
):
    """The product's founding case, through a real `bulletin-bot run` process on today's real
    date: the source's artillery total reads 75 the day after 47,522; the report is held, the
    admin is alerted, corrects it while held, and the subscriber gets 47,580 and never 75."""
    today, store, source = moved_to_today(tmp_path, dataset_reports)
    database = store.path
    store.subscribers.subscribe(
        500, "private", send_at=None, timezone="Europe/Kyiv", now=datetime.now(UTC)
    )
    store.close()
    source.set_total(today, "artillery_systems", 75)

    api = LocalBotApi()
    with (
        api.serve() as server,
        Server(source) as source_server,
        bot_process(
            tmp_path,
            f'[telegram]\napi_base_url = "{server.base_url}"\nadmins = [{ADMIN}]\n'
            f'[storage]\ndatabase = "{database}"\n'
            f'[source]\nurl = "{source_server.url}"\n',
        ) as bot,
    ):
        alert = (
            f"The bulletin of {format_date(today)} is on hold: "
            "Artillery systems went down: 47,522 → 75"
        )
        assert api.wait_for(
            lambda: any(alert in to_plain(m.text) for m in api.messages_to(ADMIN)), timeout=60
        ), [m.text for m in api.sent]
        api.send_text(f"/correct {today} artillery 47580 misprint", chat_id=ADMIN)
        assert api.wait_for(lambda: api.messages_to(500), timeout=30), "nothing delivered"
        (bulletin,) = api.messages_to(500)
        assert "Artillery systems: 47,580 (+58)*" in bulletin.text
        artillery = [line for line in bulletin.text.splitlines() if "Artillery" in line]
        assert artillery[0] == "Artillery systems: 47,580 (+58)*"
        assert artillery[1].startswith("* Artillery systems: corrected from 75 to 47,580 by")
        assert len(artillery) == 2  # no other note: 75 is shown only as what was corrected
        assert "lower than the day before" not in bulletin.text
        # The admin's answer and the delivery job race; both arrive.
        assert api.wait_for(
            lambda: any(
                "goes out with the corrected figure" in m.text for m in api.messages_to(ADMIN)
            ),
            timeout=30,
        )
    log = bot.err
    assert bot.returncode == 0, log


def test_shaped_subscriptions_through_run(tmp_path, dataset_reports):
    """Through a real `bulletin-bot run` process: a `tanks short` subscriber gets exactly one
    line of tanks, a milestone goes once to the one who asked, and a forum group's
    subscription lands in its topic."""
    today, store, source = moved_to_today(tmp_path, dataset_reports)
    database = store.path
    now = datetime.now(UTC)
    short = Shape(categories=("tanks",), format=SummaryFormat.SHORT)
    store.subscribers.subscribe(
        500, "private", send_at=None, timezone="Europe/Kyiv", now=now, shape=short
    )
    store.subscribers.subscribe(
        501, "private", send_at=None, timezone="Europe/Kyiv", now=now, digests=("milestones",)
    )
    topic = Shape(categories=("artillery",), thread_id=9)
    store.subscribers.subscribe(
        -100777, "supergroup", send_at=None, timezone="Europe/Kyiv", now=now, shape=topic
    )
    store.close()
    source.set_total(today, "warships_cutters", 40)  # from 34: past 40

    api = LocalBotApi()
    with (
        api.serve() as server,
        Server(source) as source_server,
        bot_process(
            tmp_path,
            f'[telegram]\napi_base_url = "{server.base_url}"\n'
            f'[storage]\ndatabase = "{database}"\n'
            f'[source]\nurl = "{source_server.url}"\n',
        ) as bot,
    ):
        assert api.wait_for(
            lambda: all(api.messages_to(chat) for chat in (500, 501, -100777)), timeout=60
        ), [(m.chat_id, m.text) for m in api.sent]
        # Nothing more will come: every message queued is out and recorded as sent.
        assert eventually(lambda: nothing_due(database), timeout=60), "still sending"
        (short_summary,) = api.messages_to(500)
        lines = to_plain(short_summary.text).splitlines()
        assert [line for line in lines if "Tanks" in line] == ["Tanks: 12,251 (+4)"]
        assert not any("Personnel" in line or "Artillery" in line for line in lines)
        (milestone,) = api.messages_to(501)
        assert to_plain(milestone.text).startswith(
            "📊 Russian losses since 24 Feb 2022: warships and boats past 40"
        )
        (in_topic,) = api.messages_to(-100777)
        assert in_topic.thread_id == 9 and "Artillery systems: 47,580" in in_topic.text
    log = bot.err
    assert bot.returncode == 0, log


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_a_rejected_token_is_one_line_that_never_shows_the_token(tmp_path, webhook):
    """Nothing after it either: the request layer left open by the failed start is closed
    (aiohttp would log each unclosed session and connection as an error)."""
    api = LocalBotApi()
    api.faults.unauthorized = True
    hook = f'[webhook]\nport = {free_port()}\nsecret_token = "s3cret-token"\n'
    mode = ("--webhook", "https://bot.example.org/telegram") if webhook else ()
    with api.serve() as server:
        process = start_process(
            tmp_path,
            f'[telegram]\napi_base_url = "{server.base_url}"\n' + (hook if webhook else ""),
            "run",
            *mode,
        )
        assert process.finish(timeout=60) == 2
    log = process.err
    assert SECRET not in log and "Traceback" not in log
    assert log.strip().endswith("check it with @BotFather, or get a new one there with /token.")


def test_run_in_webhook_mode_answers_and_stops_on_sigterm(tmp_path):
    port = free_port()
    api = LocalBotApi()
    with (
        api.serve() as server,
        bot_process(
            tmp_path,
            f'[telegram]\napi_base_url = "{server.base_url}"\n'
            f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n'
            f'[webhook]\nport = {port}\nsecret_token = "s3cret-token"\n',
            "--webhook",
            "https://bot.example.org/telegram",
        ) as bot,
    ):
        assert api.wait_for(lambda: api.commands_set >= 2, timeout=60), "no start-up"
        update = latest_tanks_update(78)
        for _ in range(100):  # the port opens just after the command menu is set
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/telegram",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
                    timeout=10,
                )
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer.status_code == 200
        assert api.wait_for(lambda: api.messages_to(78), timeout=30)
    log = bot.err
    assert bot.returncode == 0, log
    assert "s3cret-token" not in log and SECRET not in log


def test_the_console_shows_the_whole_product_to_its_operator(tmp_path):
    script = (
        "/correct 2026-08-07 tanks 12250 typo\n"
        "/subscribe\n"
        "/announce Hello from the console\n"
        "/chart tanks 30d\n"
        "The total combat losses of the enemy from 24.02.2022 to 08.08.2026 were approximately:\n"
        "personnel - about 1456620 (+1200)\n"
        "\n"
        "/held\n"
    )
    result = console(tmp_path, script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    # The operator is an admin; what was queued arrives in the conversation.
    assert "Correction 1: Tanks on 7 August 2026 is now 12,250" in out
    assert "bot> 📢 Hello from the console" in out
    # A picture is saved, and its name said.
    assert f"[picture saved to {tmp_path / 'picture-1.png'}]" in out
    assert (tmp_path / "picture-1.png").read_bytes().startswith(b"\x89PNG")
    # Two pasted lines are one message.
    assert "you> The total combat losses" in out and "Read a bulletin for 8 August 2026" in out
    # A paste that would change a figure readers see waits for an admin, with both figures.
    assert "Personnel: readers see 1,456,610, the text gives 1,456,620" in out
    assert "Bulletins on hold (1):" in out
    # The console's chat leaves nothing queued for a real bot on this database.
    with sqlite3.connect(tmp_path / "bulletin.db") as connection:
        for table in ("outbox", "subscribers", "chats"):
            assert connection.execute(
                f"SELECT COUNT(*) FROM {table} WHERE chat_id = ?", [console_chat]
            ).fetchone() == (0,), table
    assert result.stderr == ""


def test_the_console_lists_at_its_end_what_is_due_later(tmp_path, dataset_reports):
    """A correction notice is batched for ten minutes: the console ends before it is due, and
    says so rather than drop it unsaid."""
    today, store, source = moved_to_today(tmp_path, dataset_reports)
    store.close()
    with Server(source) as source_server:
        (tmp_path / "config.toml").write_text(f'[source]\nurl = "{source_server.url}"\n')
        result = console(tmp_path, f"/subscribe\n/tick\n/correct {today} tanks 12252 typo\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "bot> Russian losses since 24 Feb 2022 (claimed by Ukraine's General Staff)\n"
        f"     {format_date(today)}" in out
    )
    assert "1 subscriber who got that bulletin will get a notice" in out
    due = re.search(
        r"\n\(1 message due later, not sent: the console sends what is due while it runs\)\n"
        rf"     (\S+ \S+) Europe/Kyiv: correction {today}@{today}\S*\n$",
        out,
    )
    assert due, out
    at = datetime.strptime(due[1], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Kyiv"))
    assert 8 * 60 < (at - datetime.now(UTC)).total_seconds() < 11 * 60  # in 10 minutes


def test_the_console_as_a_reader(tmp_path):
    result = console(tmp_path, "/stats\n", "--as-user")
    assert "This command is for admins." in result.stdout


def test_the_console_shows_a_buttons_pop_up(tmp_path):
    """A pop-up only the presser sees (here: a settings button after unsubscribing) is shown."""
    result = console(tmp_path, "/subscribe\n/settings\n/unsubscribe\n#Card\n", "--as-user")
    assert (
        "bot (pop-up)> This chat has no daily summary. Start one with /subscribe or "
        "/subscribe 08:30."
    ) in result.stdout, result.stdout
