"""A broadcast's pictures are uploaded once and sent to everyone else by Telegram's file id.

Through the real application and the Bot API stand-in (tests/fake_bot_api.py), which answers an
upload with a new file id, sends a known id's file again, and refuses an id it does not know
as Telegram does ("wrong file identifier/HTTP URL specified").
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import date

from bot import render
from bot.store import DeliveryStatus, OutboxKind, SummaryFormat
from bot.store.subscribers import Shape
from bot.subscriptions import enqueue_bulletin
from tests.conftest import NOW, outbox_counts
from tests.test_bot_delivery import drain

DAY = date(2026, 8, 7)  # in the stored history: no poll needed
CHARTS = range(60_001, 60_041)  # forty subscribers with the daily chart


def subscribe(bot, chat_ids, *, with_chart=False, shape=None) -> None:
    for chat_id in chat_ids:
        bot.store.subscribers.subscribe(
            chat_id,
            "private",
            send_at=None,
            timezone="Europe/Kyiv",
            now=NOW,
            with_chart=with_chart,
            shape=shape or Shape(),
        )


def photos(bot, chat_ids) -> list:
    return [m for m in bot.api.sent if m.method == "sendPhoto" and m.chat_id in chat_ids]


async def send_chart_to(bot, deliverer, chat_id: int):
    """Queue the day's chart for one more chat and deliver it; what that chat was sent."""
    subscribe(bot, [chat_id], with_chart=True)
    bot.store.outbox.enqueue([(chat_id, OutboxKind.CHART, DAY.isoformat(), NOW)])
    await drain(bot, deliverer)
    (photo,) = photos(bot, [chat_id])
    return photo


async def test_a_broadcast_uploads_its_chart_once_and_sends_everyone_else_its_file_id(bot):
    subscribe(bot, CHARTS, with_chart=True)
    enqueue_bulletin(bot.store, DAY, now=NOW)
    deliverer = bot.deliverer()  # a window of 64: the forty charts are on their way together

    await drain(bot, deliverer)

    sent = photos(bot, CHARTS)
    assert sorted(p.chat_id for p in sent) == list(CHARTS)  # each once
    uploads = [p for p in sent if p.file_id is None]
    assert len(uploads) == 1  # the others waited for its answer rather than upload beside it
    (upload,) = uploads
    file_id = f"photo{upload.message_id}"  # the stand-in's answer to it
    assert {p.file_id for p in sent if p is not upload} == {file_id}
    # Each subscriber still sees the picture, with the figures as its caption.
    assert all(p.attachment == upload.attachment for p in sent)
    assert upload.attachment.startswith(b"\x89PNG")
    assert len({p.text for p in sent}) == 1
    caption = render.to_plain(upload.text).splitlines()
    assert caption[1].startswith("Personnel: about 1,455,420 on 7 August 2026 (30 days: +")
    assert deliverer.charts.drawn == 1
    assert outbox_counts(bot.store) == {DeliveryStatus.SENT: 2 * len(CHARTS)}


async def test_cards_are_uploaded_once_per_card_and_sent_again_by_file_id(bot):
    """Cards in each language and set of categories: one upload each, the rest by id."""
    tanks = Shape(categories=("tanks", "artillery"), format=SummaryFormat.CARD)
    everything = Shape(format=SummaryFormat.CARD)
    subscribe(bot, range(61_001, 61_011), shape=tanks)
    subscribe(bot, range(61_011, 61_021), shape=everything)
    for chat_id in range(61_001, 61_021, 2):
        bot.store.subscribers.set_chat_language(chat_id, "uk", chosen=True, now=NOW)
    enqueue_bulletin(bot.store, DAY, now=NOW)

    await drain(bot, bot.deliverer())

    sent = photos(bot, range(61_001, 61_021))
    assert sorted(p.chat_id for p in sent) == list(range(61_001, 61_021))
    pictures = {p.attachment for p in sent}
    assert len(pictures) == 4  # two sets of categories, two languages
    uploads = [p for p in sent if p.file_id is None]
    assert {p.attachment for p in uploads} == pictures and len(uploads) == 4
    # Every other card went by the id of the upload of the same picture.
    ids = {p.attachment: f"photo{p.message_id}" for p in uploads}
    assert all(p.file_id == ids[p.attachment] for p in sent if p.file_id is not None)


async def test_a_file_id_telegram_refuses_is_forgotten_and_the_picture_uploaded(bot, caplog):
    deliverer = bot.deliverer()
    first = await send_chart_to(bot, deliverer, 62_001)
    assert first.file_id is None  # uploaded
    assert (await send_chart_to(bot, deliverer, 62_002)).file_id == f"photo{first.message_id}"
    bot.api.files.clear()  # Telegram no longer knows the file by that id

    with caplog.at_level(logging.WARNING):
        again = await send_chart_to(bot, deliverer, 62_003)

    # The subscriber got the picture all the same, uploaded, and the delivery counts as sent.
    assert again.file_id is None and again.attachment == first.attachment
    assert again.text == first.text
    refusals = [r for r in caplog.records if "file id refused" in r.getMessage()]
    assert len(refusals) == 1 and "wrong file identifier" in refusals[0].getMessage().lower()
    assert outbox_counts(bot.store) == {DeliveryStatus.SENT: 3}
    # The new upload's id is the one sent from then on.
    later = await send_chart_to(bot, deliverer, 62_004)
    assert later.file_id == f"photo{again.message_id}"


async def test_a_correction_draws_and_uploads_a_new_chart_never_sending_the_old_id(bot):
    deliverer = bot.deliverer()
    first = await send_chart_to(bot, deliverer, 63_001)
    assert (await send_chart_to(bot, deliverer, 63_002)).file_id == f"photo{first.message_id}"
    day = bot.store.reports.on(DAY)
    assert day is not None
    tanks = day.totals["tanks"]
    bot.store.corrections.add(DAY, "tanks", tanks, tanks + 50, reason="t", author="t", now=NOW)

    corrected = await send_chart_to(bot, deliverer, 63_003)

    assert corrected.file_id is None  # uploaded: the old id is of the old picture
    assert corrected.attachment.startswith(b"\x89PNG")
    assert corrected.attachment != first.attachment  # the corrected figure drawn
    assert deliverer.charts.drawn == 2
    later = await send_chart_to(bot, deliverer, 63_004)
    assert later.file_id == f"photo{corrected.message_id}"
    assert later.attachment == corrected.attachment


async def test_a_broadcast_queued_by_another_process_does_not_draw_or_upload_again(bot):
    """The queueing process (bot/queueing.py) commits a chunk of a million subscribers' rows
    every few milliseconds: each is another connection's commit, which changes nothing a chart
    is drawn from, and so neither the store's data_version nor the picture kept by it."""
    deliverer = bot.deliverer()
    first = await send_chart_to(bot, deliverer, 64_001)
    version = bot.store.reports.data_version()
    with sqlite3.connect(bot.store.path) as queueing:  # another process's commit
        queueing.execute(
            "INSERT INTO chats (chat_id, language, chosen, updated_at) VALUES (64999, 'uk', 1, ?)",
            [NOW.isoformat()],
        )
    assert bot.store.reports.data_version() == version
    queueing.close()

    later = await send_chart_to(bot, deliverer, 64_002)

    assert later.file_id == f"photo{first.message_id}"
    assert deliverer.charts.drawn == 1


async def test_a_readers_chart_goes_by_the_file_id_its_delivery_brought(bot):
    """One chart, one upload: a reader asking for the chart the morning's subscribers got is
    sent it by the file id its delivery brought (the chart cache's one Upload serves both),
    and a delivery after a reader's upload of another chart sends that reader's id."""
    deliverer = bot.deliverer(charts=bot.services.charts)  # as `run` builds it
    delivered = await send_chart_to(bot, deliverer, 64_001)
    assert delivered.file_id is None  # uploaded

    asked = await bot.ask("/chart personnel tanks artillery uav 30d")

    assert asked.method == "sendPhoto"
    assert asked.file_id == f"photo{delivered.message_id}"
    assert bot.services.charts.drawn == 1

    # The other way round: a reader's upload first, then a subscriber of those categories.
    uploaded = await bot.ask("/chart mlrs 30d")
    assert uploaded.method == "sendPhoto" and uploaded.file_id is None
    subscribe(bot, [64_002], with_chart=True, shape=Shape(categories=("mlrs",)))
    bot.store.outbox.enqueue([(64_002, OutboxKind.CHART, DAY.isoformat(), NOW)])
    await drain(bot, deliverer)
    (photo,) = photos(bot, [64_002])
    assert photo.file_id == f"photo{uploaded.message_id}"
