"""The statistics API client against the loopback server: paging, and every way a source fails.

A failed fetch raises SourceError with a readable reason, stores nothing, and is logged in the
store's fetch log.
"""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from bot.sources.api import StatisticsApi
from bot.sources.http import ATTEMPTS, SourceError, make_client
from tests.conftest import NOW, TODAY, fetch_latest
from tests.fake_statistics_api import closed_port_url, link_for


def stored_reports(store) -> int:
    return store.db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]


async def test_history_follows_the_pages(api, fake_api):
    reports = await api.history(date(2026, 6, 1), date(2026, 8, 8))

    assert [r.date for r in reports][:2] == [date(2026, 6, 1), date(2026, 6, 2)]
    assert len(reports) == 69
    assert len({r.date for r in reports}) == 69
    assert sum("/statistics" in path for path, _ in fake_api.api.requests) == 2  # 50 + 19


async def test_a_record_becomes_a_report(api, fake_api):
    day = date(2026, 7, 1)
    (report,) = await api.history(day, day)
    record = fake_api.api.records[day]
    assert (report.date, report.day, report.link) == (day, record["day"], link_for(day))
    assert report.totals["tanks"] == record["stats"]["tanks"]
    assert report.totals["afv"] == record["stats"]["armoured_fighting_vehicles"]
    assert report.increases["personnel"] == record["increase"]["personnel_units"]


async def assert_failed_fetch(store, api, message: str) -> SourceError:
    before = stored_reports(store)
    with pytest.raises(SourceError, match=re.escape(message)) as failure:
        await fetch_latest(store, api, now=NOW, today=TODAY)
    assert stored_reports(store) == before
    last = store.logs.last_fetch()
    assert (last.ok, last.at) == (False, NOW)
    assert message in last.detail
    return failure.value


async def test_a_source_that_is_down(history_store, sleep):
    async with make_client() as client:
        api = StatisticsApi(closed_port_url(), client, today=TODAY, sleep=sleep)
        error = await assert_failed_fetch(history_store, api, "network error")
    assert f"gave up after {ATTEMPTS} attempts" in str(error)
    assert len(sleep.delays) == ATTEMPTS - 1


async def test_server_errors_are_retried_with_growing_backoff_then_given_up(
    history_store, api, fake_api, sleep
):
    fake_api.api.fail("500")

    await assert_failed_fetch(history_store, api, "HTTP 500")

    assert len(fake_api.api.requests) == ATTEMPTS  # bounded: no retry storm
    assert len(sleep.delays) == ATTEMPTS - 1
    assert sleep.delays[1] > sleep.delays[0] >= 1.0


async def test_a_passing_server_error_is_retried_and_the_fetch_succeeds(
    history_store, api, fake_api, sleep
):
    fake_api.api.fail("503", times=1)

    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert outcomes[-1].date == TODAY
    assert len(sleep.delays) == 1
    assert history_store.logs.last_fetch().ok


async def test_too_many_requests_honours_retry_after(history_store, api, fake_api, sleep):
    fake_api.api.fail("429", times=1, retry_after="7")

    await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert sleep.delays == [pytest.approx(7.0)]


async def test_a_slow_source_times_out(history_store, fake_api, sleep):
    fake_api.api.fail("slow", delay=0.5)
    async with make_client(httpx.Timeout(0.05)) as client:
        api = StatisticsApi(fake_api.url, client, today=TODAY, sleep=sleep)
        await assert_failed_fetch(history_store, api, "timed out")


async def test_html_instead_of_json_is_not_retried(history_store, api, fake_api, sleep):
    fake_api.api.fail("html")

    await assert_failed_fetch(history_store, api, "returned HTML")

    assert len(fake_api.api.requests) == 1
    assert sleep.delays == []


async def test_truncated_json(history_store, api, fake_api):
    fake_api.api.fail("truncated")
    await assert_failed_fetch(history_store, api, "returned invalid JSON")


async def test_a_reply_without_data(history_store, api, fake_api):
    fake_api.api.fail("no_data")
    await assert_failed_fetch(history_store, api, "no 'data' dict")


async def test_not_found_is_not_retried(history_store, api, fake_api):
    fake_api.api.fail("404")
    await assert_failed_fetch(history_store, api, "HTTP 404")
    assert len(fake_api.api.requests) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"stats": {"tanks": "many"}}, "tanks total is 'many', not a whole number"),
        ({"stats": {"tanks": -5}}, "tanks total -5 is out of range"),
        ({"stats": {"tanks": 10**12}}, "out of range"),
        ({"stats": {"tanks": True}}, "not a whole number"),
        ({"stats": []}, "stats is list, not an object"),
        ({"stats": {}}, "no figures"),
        ({"date": "08/08/2026"}, "date is '08/08/2026', not YYYY-MM-DD"),
        ({"date": "2031-01-01"}, "outside 2022-02-24..2026-08-09"),
        ({"day": "x"}, "day is 'x'"),
        ({"resource": "javascript:alert(1)"}, "not a web link"),
    ],
)
async def test_a_valid_reply_with_wrong_content(history_store, api, fake_api, change, message):
    fake_api.api.records[TODAY].update(change)
    await assert_failed_fetch(history_store, api, message)


async def test_pages_of_one_record_each_are_all_followed(api, fake_api):
    fake_api.api.page_size = 1
    reports = await api.history(date(2026, 8, 1), date(2026, 8, 3))
    assert [r.date.day for r in reports] == [1, 2, 3]


async def test_paging_that_never_ends_is_cut_off(api, fake_api):
    fake_api.api.page_size = 1
    fake_api.api.next_url_loops = True
    with pytest.raises(SourceError, match="paging does not end"):
        await api.history(date(2026, 8, 1), date(2026, 8, 3))
    assert len(fake_api.api.requests) == 2
