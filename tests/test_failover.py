"""Two sources of one bulletin, both stand-ins on loopback reached with real httpx: the API,
and the public dataset's files. The first down, the first behind, the two disagreeing, the two
agreeing; and what readers and admins see of each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from bot import render
from bot.config import AlertsConfig, Config, SourceConfig, TelegramConfig
from bot.figures import bulletin_on
from bot.ingest import Arrival
from bot.poll import PollResult, poll_once
from bot.sources.http import make_client
from bot.store import ReportStatus, Store
from tests.bot_harness import ADMIN, USER
from tests.conftest import NOW, STORED_UNTIL, TODAY, RecordingSleep
from tests.fake_statistics_api import FakeDataset, Server, closed_port_url


@pytest.fixture
def fake_dataset() -> Iterator[Server]:
    with Server(FakeDataset.since(date(2026, 5, 1)), path="/data") as server:
        yield server


@pytest.fixture
def bot_sources(fake_api, fake_dataset) -> tuple[SourceConfig, ...]:
    return (SourceConfig("api", fake_api.url), SourceConfig("dataset", fake_dataset.url))


def config_for(sources: tuple[SourceConfig, ...]) -> Config:
    return Config(
        telegram=TelegramConfig(admins=(ADMIN,)),
        sources=sources,
        alerts=AlertsConfig(source_failures=3),
    )


async def poll(store: Store, sources, *, minutes: int = 0) -> PollResult:
    async with make_client() as client:
        return await poll_once(
            store,
            config_for(sources),
            client,
            now=NOW + timedelta(minutes=minutes),
            today=TODAY,
            sleep=RecordingSleep(),
        )


def revisions_of(store: Store, day: date) -> list[tuple[str, str]]:
    return [(r.source, r.status) for r in store.reports.revisions(day)]


def alerts(store: Store) -> list[str]:
    return [text for (text,) in store.db.execute("SELECT text FROM alerts ORDER BY rowid")]


async def test_agreeing_sources_give_one_report_with_its_link(history_store, bot_sources):
    result = await poll(history_store, bot_sources)

    assert [(o.date, o.change) for o in result.outcomes if o.change == Arrival.NEW] == [
        (TODAY, Arrival.NEW)
    ]
    assert result.lead.name == "api" and not result.lead.is_failover
    # The dataset's days add nothing the API's did not: none of them is stored.
    assert revisions_of(history_store, TODAY) == [("api", ReportStatus.ACCEPTED)]
    assert history_store.reports.on(TODAY).link.startswith("https://www.facebook.com/")
    assert alerts(history_store) == []
    for source in ("api", "dataset"):
        fetch = history_store.logs.last_fetch(source)
        assert (fetch.ok, fetch.newest) == (True, TODAY)
    assert history_store.logs.last_fetch("dataset").detail.endswith(
        "15 days read, newest 2026-08-08"
    )


async def test_when_the_first_is_down_the_second_takes_over_after_the_alert_threshold(
    history_store, bot_sources, fake_api
):
    fake_api.api.fail("500")

    for minutes in (0, 20):
        result = await poll(history_store, bot_sources, minutes=minutes)
        assert result.error is None and result.failures.keys() == {"api"}
        assert history_store.reports.on(TODAY) is None  # two failed polls: a blip, not yet down

    result = await poll(history_store, bot_sources, minutes=40)

    assert result.lead.name == "dataset" and result.lead.passed_over == "down"
    assert [(o.date, o.change, o.status) for o in result.outcomes if o.change == Arrival.NEW] == [
        (TODAY, Arrival.NEW, ReportStatus.ACCEPTED)
    ]
    assert revisions_of(history_store, TODAY) == [("dataset", ReportStatus.ACCEPTED)]
    assert alerts(history_store) == [
        "Reading the russianwarship.rip API failed 3 times in a row; last error: "
        f"{fake_api.url}/statistics/latest: HTTP 500 (gave up after 3 attempts)",
        "The bulletin now comes from the public dataset: the russianwarship.rip API has failed "
        "poll after poll.",
    ]
    # What readers get names where it came from, since there is no post to link to.
    text = render.to_plain(render.bulletin(bulletin_on(history_store)))
    assert "Source: the public dataset, which copies each bulletin" in text
    assert "Original post" not in text

    # The API is back with the same figures: its version adds the link, and nothing else.
    fake_api.api.fail("500", times=0)
    result = await poll(history_store, bot_sources, minutes=60)

    assert result.lead.name == "api"
    assert next((o.change, o.status) for o in result.outcomes if o.date == TODAY) == (
        Arrival.REVISED,
        ReportStatus.ACCEPTED,
    )
    assert history_store.reports.on(TODAY).link.startswith("https://www.facebook.com/")
    assert len(alerts(history_store)) == 2  # no new alert: the stretch is over


async def test_when_the_first_is_a_day_behind_the_second_gives_the_new_day_at_once(
    history_store, bot_sources, fake_api
):
    fake_api.api.drop(TODAY)

    result = await poll(history_store, bot_sources)

    assert result.lead.name == "dataset" and result.lead.passed_over == "behind"
    assert revisions_of(history_store, TODAY) == [("dataset", ReportStatus.ACCEPTED)]
    # The days both have are the API's, untouched.
    assert revisions_of(history_store, STORED_UNTIL)[-1] == ("api", ReportStatus.ACCEPTED)
    assert alerts(history_store) == [
        "The bulletin now comes from the public dataset: the russianwarship.rip API is behind "
        "(its newest day is 7 August 2026)."
    ]


async def test_a_new_day_the_sources_disagree_on_is_held_with_both_figures(
    history_store, bot_sources, fake_dataset
):
    tanks = fake_dataset.api.rows[TODAY]["tank"]
    fake_dataset.api.set_total(TODAY, "tank", tanks + 10)

    result = await poll(history_store, bot_sources)

    today = [o for o in result.outcomes if o.date == TODAY]
    assert [(o.change, o.status) for o in today] == [(Arrival.NEW, ReportStatus.HELD)]
    assert result.queued == 0 and history_store.reports.on(TODAY) is None
    assert alerts(history_store) == [
        "The bulletin of 8 August 2026 is on hold: Tanks: the russianwarship.rip API gives "
        f"{tanks:,}, the public dataset gives {tanks + 10:,}. /approve 2026-08-08 or "
        "/reject 2026-08-08."
    ]


async def test_a_later_disagreement_never_overwrites_what_readers_see(
    history_store, bot_sources, fake_dataset
):
    await poll(history_store, bot_sources)
    tanks = history_store.reports.on(TODAY).totals["tanks"]
    fake_dataset.api.set_total(TODAY, "tank", tanks - 3)

    result = await poll(history_store, bot_sources, minutes=120)

    # The dataset's version is kept, raw payload and all, but waits for an admin.
    assert revisions_of(history_store, TODAY) == [
        ("api", ReportStatus.ACCEPTED),
        ("dataset", ReportStatus.HELD),
    ]
    assert history_store.reports.on(TODAY).totals["tanks"] == tanks
    assert result.queued == 0
    assert "the public dataset gives" in alerts(history_store)[-1]


async def test_the_first_back_with_other_figures_than_the_second_gave_is_held(
    history_store, bot_sources, fake_api
):
    record = fake_api.api.records.pop(TODAY)
    await poll(history_store, bot_sources)  # today's from the dataset: the API is behind
    dataset_tanks = history_store.reports.on(TODAY).totals["tanks"]
    fake_api.api.records[TODAY] = record
    fake_api.api.set_total(TODAY, "tanks", dataset_tanks + 1)

    result = await poll(history_store, bot_sources, minutes=20)

    assert [(o.change, o.status) for o in result.outcomes if o.date == TODAY] == [
        (Arrival.REVISED, ReportStatus.HELD)
    ]
    assert history_store.reports.on(TODAY).totals["tanks"] == dataset_tanks


async def test_no_source_answering_is_a_failed_poll(history_store, bot_sources, fake_api):
    fake_api.api.fail("500")
    both_down = (bot_sources[0], SourceConfig("dataset", closed_port_url()))

    result = await poll(history_store, both_down)

    assert result.error and "HTTP 500" in result.error
    assert result.outcomes == [] and history_store.reports.on(TODAY) is None
    assert [history_store.logs.last_fetch(name).ok for name in ("api", "dataset")] == [False, False]


async def test_a_poll_with_both_agreeing_leaves_every_day_unchanged(history_store, bot_sources):
    await poll(history_store, bot_sources)
    result = await poll(history_store, bot_sources, minutes=20)
    assert {o.change for o in result.outcomes} == {Arrival.UNCHANGED}


async def test_sources_says_which_source_gives_the_bulletin_and_why(bot, fake_api):
    fake_api.api.fail("500")
    for _ in range(3):
        await bot.ask("/fetch", chat_id=ADMIN)
        bot.clock.advance(timedelta(minutes=20))
    text = render.to_plain((await bot.ask("/sources", chat_id=USER)).text)

    # The /fetch replies (by now all in), not the alerts that may arrive between them.
    replies = [
        render.to_plain(m.text) for m in bot.api.messages_to(ADMIN) if m.text.startswith("Fetched")
    ]
    assert len(replies) == 3

    # The dataset answered each time: the admin hears of the API's failure, not a failed fetch.
    assert replies[0].startswith("Fetched: nothing.")
    assert "\nReading the russianwarship.rip API failed: " in replies[0]
    assert replies[2].startswith("Fetched: 1 new, 14 unchanged.")

    # A reader sees each source by name and whether it answered; an admin, the URL and error.
    assert "1. the russianwarship.rip API\n   could not be reached at 10:10 (Kyiv time);" in text
    assert "2. the public dataset\n   checked at 10:10 (Kyiv time);" in text
    assert "http://" not in text and "HTTP 500" not in text
    assert "newest day: 8 August 2026" in text
    admins = render.to_plain((await bot.ask("/sources", chat_id=ADMIN)).text)
    assert "1. the russianwarship.rip API: http://127.0.0.1:" in admins
    assert "failed (" in admins and "HTTP 500" in admins
    assert "2. the public dataset: http://127.0.0.1:" in admins
    assert (
        "The bulletin now comes from the public dataset: the russianwarship.rip API has failed "
        "poll after poll." in text
    )
    assert (
        "Beside the claim: losses documented with photos or video, counted to 19 July 2025, "
        "by Oryx, via scarnecchia/oryx_data (CC BY 4.0): /compare"
    ) in text
    latest = render.to_plain((await bot.ask("/latest tanks", chat_id=USER)).text)
    assert "8 August 2026" in latest and "Source: the public dataset" in latest


@pytest.mark.parametrize("failure", ["html", "truncated", "404"])
async def test_a_broken_second_source_is_logged_and_the_first_still_serves(
    history_store, bot_sources, fake_dataset, failure
):
    fake_dataset.api.fail(failure)

    result = await poll(history_store, bot_sources)

    assert result.error is None and list(result.failures) == ["dataset"]
    assert revisions_of(history_store, TODAY) == [("api", ReportStatus.ACCEPTED)]
    fetch = history_store.logs.last_fetch("dataset")
    assert not fetch.ok and f"{fake_dataset.url}/russia_losses_equipment.json" in fetch.detail


async def test_a_dataset_day_after_tomorrow_fails_its_fetch_whole(history_store, fake_dataset):
    row = fake_dataset.api.rows[TODAY]
    fake_dataset.api.rows[TODAY + timedelta(days=2)] = {**row, "date": "2026-08-10"}

    result = await poll(history_store, (SourceConfig("dataset", fake_dataset.url),))

    assert result.error == (
        f"{fake_dataset.url}: unexpected content: date 2026-08-10 is outside 2022-02-24..2026-08-09"
    )
    assert history_store.reports.on(TODAY) is None


async def test_an_unchanged_dataset_is_not_downloaded_again(
    history_store, bot_sources, fake_dataset
):
    await poll(history_store, bot_sources)
    await poll(history_store, bot_sources, minutes=20)
    assert fake_dataset.api.not_modified == 2  # both files: 304 Not Modified

    tanks = fake_dataset.api.rows[TODAY]["tank"]
    fake_dataset.api.set_total(TODAY, "tank", tanks + 10)
    await poll(history_store, bot_sources, minutes=40)

    # The equipment file changed and was read again: its new figure is seen, and held.
    assert fake_dataset.api.not_modified == 3
    assert revisions_of(history_store, TODAY) == [
        ("api", ReportStatus.ACCEPTED),
        ("dataset", ReportStatus.HELD),
    ]
