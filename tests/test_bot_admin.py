"""Admins end to end: corrections, held reports, pasted bulletins, announcements, the audit."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot import render, texts
from bot.store import DeliveryStatus, OutboxKind, ReportStatus
from bot.subscriptions import enqueue_bulletin
from bot.telegram.admin import HANDLERS
from bot.telegram.jobs import poll_now
from tests.bot_harness import ADMIN, USER
from tests.conftest import NOW, outbox_counts

BULLETINS = Path(__file__).parent / "fixtures" / "bulletins"
STORED = date(2026, 8, 7)  # the newest day in the test store
NEW_DAY = date(2026, 8, 8)  # the fake API's newest day


def plain(message) -> str:
    return render.to_plain(message.text)


async def admin(bot, text: str) -> str:
    return plain(await bot.ask(text, chat_id=ADMIN))


async def drain(bot) -> None:
    """Deliver until nothing waits. A command may have started a delivery round of its own
    (/fetch, /approve): while that round is sending, ours returns at once, so wait for it."""
    deliverer = bot.services.deliverer or bot.deliverer()
    bot.services.deliverer = deliverer
    for _ in range(200):
        await deliverer.run()
        counts = outbox_counts(bot.store)
        if counts.get(DeliveryStatus.SENDING):
            await asyncio.sleep(0.05)
        elif counts.get(DeliveryStatus.PENDING):
            bot.clock.advance(timedelta(minutes=11))
        else:
            return
    raise AssertionError(outbox_counts(bot.store))


def subscribe(bot, *chat_ids: int) -> None:
    for chat_id in chat_ids:
        bot.store.subscribers.subscribe(
            chat_id, "private", send_at=None, timezone="Europe/Kyiv", now=NOW
        )


@pytest.mark.parametrize("command", sorted(HANDLERS))
async def test_every_admin_command_refuses_anyone_else_and_the_attempt_is_audited(bot, command):
    reply = await bot.ask(f"/{command} 2026-08-07 tanks 1", chat_id=USER)
    assert plain(reply) == texts.ADMINS_ONLY
    entry = bot.store.logs.audit_log(1)[0]
    assert (entry.actor, entry.action, entry.allowed) == (f"telegram:{USER}", command, False)
    assert bot.store.corrections.log() == []


async def test_a_correction_changes_latest_and_on_and_keeps_the_original(bot):
    subscribe(bot, 501)
    enqueue_bulletin(bot.store, STORED, now=NOW)
    await drain(bot)  # subscriber 501 got the 7 August bulletin

    reply = await admin(bot, "/correct 2026-08-07 artillery 47600 typo in source")
    assert reply.startswith(
        "Correction 1: Artillery systems on 7 August 2026 is now 47,600 "
        "(was 47,522). 1 subscriber who got that bulletin"
    )

    latest = plain(await bot.ask("/latest artillery"))
    assert "Artillery systems: 47,600 (+145)*" in latest  # 47,455 on 6 August
    assert (
        "* Artillery systems: corrected from 47,522 to 47,600 by an admin on 8 August 2026 "
        "(typo in source)."
    ) in latest
    # The fetched figure is still there, untouched.
    fetched = bot.store.db.execute(
        "SELECT f.total FROM figures f JOIN reports r ON r.id = f.report_id "
        "WHERE r.date = '2026-08-07' AND f.category = 'artillery'"
    ).fetchall()
    assert fetched == [(47522,)]

    # One notice, batched, to the subscriber who had the bulletin.
    await admin(bot, "/correct 2026-08-07 tanks 12248")
    await drain(bot)
    notices = [m for m in bot.api.messages_to(501) if "Correction to" in m.text]
    assert [plain(m) for m in notices] == [
        "Correction to the bulletin of 7 August 2026: tanks 12,248, not 12,247; "
        "artillery systems 47,600, not 47,522."
    ]

    # The next day is validated against the corrected figure: 47,580 is now a decrease.
    result = await poll_now(bot.services)
    assert result.outcomes[-1].status == ReportStatus.HELD
    details = [f.detail for f in result.outcomes[-1].findings]
    assert "Artillery systems went down: 47,600 -> 47,580" in details


async def test_a_correction_can_be_corrected_and_withdrawn(bot):
    await admin(bot, "/correct 2026-08-07 tanks 12250")
    await admin(bot, "/correct 2026-08-07 tanks 12249 second thought")
    assert "Tanks: 12,249" in plain(await bot.ask("/on 2026-08-07 tanks"))
    assert (
        await admin(bot, "/uncorrect 2")
        == "Correction 2 withdrawn: Tanks on 7 August 2026 is 12,250 again."
    )
    assert (
        await admin(bot, "/uncorrect 1")
        == "Correction 1 withdrawn: Tanks on 7 August 2026 is 12,247 again."
    )
    assert "Tanks: 12,247 (+1)\n" in plain(await bot.ask("/on 2026-08-07 tanks"))
    log = await admin(bot, "/corrections")
    assert log.startswith(
        f"Corrections, newest first:\n#2 2026-08-07 Tanks: 12,250 → 12,249 by telegram:{ADMIN}"
    )
    assert f"withdrawn by telegram:{ADMIN}" in log
    assert await admin(bot, "/uncorrect 1") == texts.NO_SUCH_CORRECTION.format(id=1, prefix="/")


async def test_a_refusal_names_the_command_as_typed_in_a_chat(bot):
    """The same desk refuses at the server with 'bulletin-bot notes' (tests/test_cli.py)."""
    reply = await admin(bot, "/notes 2026-08-01 2026-08-02")
    assert reply == "Write it as /notes [DATE], for example: /notes 2022-10-13."
    assert "bulletin-bot" not in await admin(bot, "/approve")


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ("", texts.USAGE_CORRECT.format(prefix="/")),
        ("2030-01-01 tanks 5", "1 January 2030 is in the future."),
        ("2021-01-01 tanks 5", "before the bulletin began"),
        ("2026-08-07 tanks -5", "“-5” is not a whole number from 0 to 100,000,000."),
        ("2026-08-07 tanks 999999999999", "is not a whole number from 0"),
        ("2026-08-07 tanks 200000", "200,000 is more than ten times Tanks on the days around"),
        ("2026-08-07 tankz 5", "Unknown category “tankz”. Did you mean: tanks"),
        ("2026-08-07 tanks artillery 5", texts.ONE_CATEGORY),
        ("2026-08-07 tanks 12247", "Tanks on 7 August 2026 is already 12,247; nothing to change."),
        ("2026-08-07 tanks lots", texts.USAGE_CORRECT.format(prefix="/")),
    ],
)
async def test_bad_corrections_change_nothing(bot, arguments, expected):
    assert expected in await admin(bot, f"/correct {arguments}")
    assert bot.store.corrections.log() == []


async def test_a_date_with_no_report(bot):
    bot.store.db.execute("UPDATE reports SET status = 'rejected' WHERE date = '2026-08-01'")
    reply = await admin(bot, "/correct 2026-08-01 tanks 12231")
    assert reply.startswith(
        "There is no bulletin of 1 August 2026 to correct, accepted or on hold."
    )
    assert "/held lists the bulletins on hold" in reply


async def test_a_held_decrease_waits_for_approval_then_goes_out_marked(bot, fake_api):
    subscribe(bot, 601, 602)
    fake_api.api.set_total(NEW_DAY, "mlrs", 2000)  # 2,008 the day before
    result = await poll_now(bot.services)
    assert result.queued == 0 and result.outcomes[-1].status == ReportStatus.HELD
    await drain(bot)
    assert bot.api.messages_to(601) == []
    # The admin was told, once.
    alert = bot.api.messages_to(ADMIN)[-1]
    assert plain(alert) == (
        "⚠️ Admin alert: The bulletin of 8 August 2026 is on hold: MLRS went "
        "down: 2,008 → 2,000. /approve 2026-08-08 or /reject 2026-08-08."
    )
    await poll_now(bot.services)  # the same held report again: no second alert
    await drain(bot)
    assert sum("Admin alert" in m.text for m in bot.api.messages_to(ADMIN)) == 1

    held = await admin(bot, "/held")
    assert "2026-08-08 (revision 1, from the russianwarship.rip API" in held
    assert "MLRS went down" in held
    approved = await admin(bot, "/approve 2026-08-08")
    assert approved.startswith(
        "The bulletin of 8 August 2026 is accepted as it is. Queued for 2 subscribers."
    )
    # The admin sees the bulletin exactly as subscribers get it.
    assert "MLRS: 2,000 (−8, revised down by the source)*" in approved
    await drain(bot)
    for chat in (601, 602):
        (message,) = bot.api.messages_to(chat)
        assert "MLRS: 2,000 (−8, revised down by the source)*" in plain(message)
        assert "* MLRS: lower than the day before, as published by the source." in plain(message)
    assert await admin(bot, "/approve 2026-08-08") == texts.NO_HELD_REPORT.format(
        date="8 August 2026", prefix="/"
    )


async def test_a_rejected_report_is_never_shown(bot, fake_api):
    fake_api.api.set_total(NEW_DAY, "tanks", 1)
    await poll_now(bot.services)
    assert await admin(bot, "/reject 2026-08-08 garbage from the source") == (
        "The bulletin of 8 August 2026 is rejected: kept in the store, never shown."
    )
    assert "7 August 2026" in plain(await bot.ask("/latest"))
    assert "No accepted bulletin for 8 August 2026" in plain(await bot.ask("/on 2026-08-08"))
    statuses = bot.store.db.execute("SELECT status FROM reports WHERE date = '2026-08-08'")
    assert statuses.fetchall() == [(ReportStatus.REJECTED,)]
    assert "garbage from the source" in bot.store.logs.audit_log(1)[0].detail


@pytest.mark.parametrize("name", ["en_2026-08-08.txt", "uk_2024-06-25.txt"])
async def test_a_pasted_bulletin_is_ingested(bot, name):
    text = (BULLETINS / name).read_text()
    reply = await admin(bot, text)
    day = date.fromisoformat(name[3:13])
    if day == NEW_DAY:
        assert reply.startswith("Read a bulletin for 8 August 2026: new, accepted.")
        assert "Ground robotic systems: 2,162" in reply
        report = bot.store.reports.on(NEW_DAY)
        assert (report.source, report.totals["tanks"]) == ("text", 12251)
    else:  # a day the store has: same figures, no link -> unchanged
        assert reply.startswith("Read a bulletin for 25 June 2024: unchanged.")
    assert bot.store.logs.audit_log(1)[0].action == "paste"


async def test_a_pasted_text_that_is_no_bulletin(bot):
    reply = await admin(bot, "from 24.02.2022 to 07.08.2026: laser weapons ‒ 5 (+1)")
    assert reply.startswith(
        "That does not read as a General Staff bulletin: not understood: 'laser weapons ‒ 5 (+1)' "
        "(names no category we know)."
    )
    assert plain(await bot.ask("hello", chat_id=USER)) == texts.NOT_UNDERSTOOD


async def test_announce_reaches_every_active_subscriber_once(bot):
    subscribe(bot, 701, 702, 703, 704)
    await bot.ask("/unsubscribe", chat_id=704)
    bot.api.faults.blocked.add(703)
    reply = await admin(bot, "/announce Maintenance tonight <b>22:00</b>\nBack soon.")
    assert reply == "Announcement queued for 3 active subscribers."
    await drain(bot)
    await drain(bot)
    got = Counter(m.chat_id for m in bot.api.sent if m.text.startswith("📢"))
    assert got == Counter({701: 1, 702: 1})
    assert bot.api.messages_to(701)[0].text == (
        "📢 Maintenance tonight &lt;b&gt;22:00&lt;/b&gt;\nBack soon."
    )
    assert await admin(bot, "/announce") == texts.USAGE_ANNOUNCE.format(prefix="/")


async def test_stats_and_fetch(bot):
    subscribe(bot, 801, 802)
    reply = await admin(bot, "/fetch")
    # The recent days re-read came with the original posts' links: revisions of their own.
    assert reply == "Fetched: 1 new, 14 revised. Queued for 2 subscribers."
    await drain(bot)
    stats = await admin(bot, "/stats")
    assert "Subscribers: 2 active, 0 blocked, 0 gone, 0 unsubscribed" in stats
    assert "By language: English 2" in stats
    assert "Last fetch: 2026-08-08 06:30 UTC, ok\n" in stats
    assert "Held bulletins: 0" in stats
    assert "Deliveries today: 0 pending, 2 sent, 0 failed, 0 skipped" in stats


async def test_a_source_that_keeps_failing_alerts_the_admins_once(bot, fake_api):
    fake_api.api.fail("404")
    for _ in range(5):
        assert (await poll_now(bot.services)).error
    await drain(bot)
    alerts = [plain(m) for m in bot.api.messages_to(ADMIN) if "Admin alert" in m.text]
    assert len(alerts) == 1
    assert alerts[0].startswith(
        "⚠️ Admin alert: Reading the russianwarship.rip API failed 3 times in a row"
    )
    kinds = bot.store.db.execute("SELECT kind, status FROM outbox").fetchall()
    assert kinds == [(OutboxKind.ALERT, DeliveryStatus.SENT)]


async def test_admin_commands_answer_in_a_private_chat_only(bot):
    reply = await bot.ask("/stats", chat_id=-500, chat_type="group", user_id=ADMIN)
    assert plain(reply) == texts.ADMIN_IN_PRIVATE
    assert "Subscribers" not in reply.text


async def test_an_edited_message_is_never_taken_as_a_pasted_bulletin(bot):
    text = (BULLETINS / "en_2026-08-08.txt").read_text()
    bot.api.send_text(text, chat_id=ADMIN, edited=True)
    await bot.ask("/held", chat_id=ADMIN)  # the bot has handled what came before
    assert bot.store.reports.on(NEW_DAY) is None
    assert [m for m in bot.api.messages_to(ADMIN) if "Read a bulletin" in m.text] == []


async def test_on_a_date_tells_an_admin_where_each_figure_came_from(bot):
    await admin(bot, "/correct 2026-08-07 artillery 47600 typo in source")
    before = len(bot.api.messages_to(ADMIN))
    bot.api.send_text("/on 2026-08-07", chat_id=ADMIN)
    await asyncio.to_thread(bot.api.wait_for, lambda: len(bot.api.messages_to(ADMIN)) >= before + 2)
    bulletin, sources = (plain(m) for m in bot.api.messages_to(ADMIN)[before:])
    assert "Artillery systems: 47,600" in bulletin
    lines = sources.splitlines()
    assert lines[0] == "Where the figures of 7 August 2026 came from"
    assert "revision 1 from " in lines[1] and lines[1].endswith(", accepted")
    assert lines[2] == (
        "2026-08-08 06:30 UTC: correction 1 by telegram:4242: Artillery systems 47,600 "
        "(was 47,522), typo in source"
    )
    # A reader asking the same gets the bulletin alone.
    before = len(bot.api.messages_to(USER))
    reply = await bot.ask("/on 2026-08-07")
    await bot.settled()
    assert bot.api.messages_to(USER)[before:] == [reply] and "came from" not in plain(reply)
