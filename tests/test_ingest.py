"""Fetching through real httpx from the loopback API into a real SQLite file."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot import render
from bot.figures import bulletin_on
from bot.ingest import Arrival, seed_if_empty, tally_line
from bot.report import FindingKind
from bot.store import ReportStatus, Store
from tests.conftest import NOW, STORED_UNTIL, TODAY, fetch_latest

LATEST = TODAY  # the fake API's newest record


def outcome_on(outcomes, day=None):
    """The outcome for one day (default: the latest): a poll also re-reads the recent days,
    which come back as the same figures with the original post's link."""
    (found,) = [o for o in outcomes if o.date == (day or LATEST)]
    return found


def count(store: Store, table: str) -> int:
    return store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


async def test_first_fetch_stores_the_new_report_with_its_raw_payload(history_store, api, fake_api):
    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert (outcome_on(outcomes).change, outcome_on(outcomes).status) == (
        Arrival.NEW,
        ReportStatus.ACCEPTED,
    )
    # The recent days re-read come back with their links: revisions, the figures unchanged.
    recent = [o for o in outcomes if o.date != LATEST]
    assert len(recent) == 14
    assert {(o.change, o.status) for o in recent} == {(Arrival.REVISED, ReportStatus.ACCEPTED)}
    report = history_store.reports.on(LATEST)
    assert report.source == "api"
    assert report.link == "https://www.facebook.com/GeneralStaff.ua/posts/20260808"
    assert report.totals["tanks"] == 12251
    assert report.fetched_at == NOW
    (stored,) = history_store.db.execute("SELECT raw FROM reports WHERE id = ?", [report.id])
    raw = json.loads(stored[0])
    assert raw["data"]["stats"]["tanks"] == 12251
    # The request named the project.
    assert fake_api.api.requests[0][1].startswith("bulletin-bot/")
    # The change is computed from stored totals: 12,247 on 2026-08-07.
    text = render.bulletin(bulletin_on(history_store), ["tanks"])
    assert "Tanks: 12,251 (+4)" in text
    assert "posts/20260808" in text
    assert "not independently verified" in text


async def test_fetching_the_same_report_again_stores_nothing(history_store, api):
    await fetch_latest(history_store, api, now=NOW, today=TODAY)
    reports, figures = count(history_store, "reports"), count(history_store, "figures")

    outcomes = await fetch_latest(history_store, api, now=NOW + timedelta(minutes=20), today=TODAY)

    assert {o.change for o in outcomes} == {Arrival.UNCHANGED}
    assert (count(history_store, "reports"), count(history_store, "figures")) == (reports, figures)
    assert count(history_store, "fetches") == 2


async def test_a_changed_report_for_a_stored_date_becomes_a_revision_beside_the_first(
    history_store, api, fake_api
):
    await fetch_latest(history_store, api, now=NOW, today=TODAY)
    fake_api.api.set_total(LATEST, "armoured_fighting_vehicles", 25105)

    outcomes = await fetch_latest(history_store, api, now=NOW + timedelta(hours=1), today=TODAY)

    assert {(o.change, o.status) for o in outcomes} == {
        (Arrival.UNCHANGED, None),
        (Arrival.REVISED, ReportStatus.ACCEPTED),
    }
    assert (outcome_on(outcomes).change, outcome_on(outcomes).status) == (
        Arrival.REVISED,
        ReportStatus.ACCEPTED,
    )
    revisions = history_store.db.execute(
        "SELECT revision, raw FROM reports WHERE date = ? ORDER BY revision", [str(LATEST)]
    ).fetchall()
    assert [r[0] for r in revisions] == [1, 2]
    assert json.loads(revisions[0][1])["data"]["stats"]["armoured_fighting_vehicles"] == 25099
    assert history_store.reports.on(LATEST).totals["afv"] == 25105


async def test_days_missed_since_the_last_stored_one_are_filled_in(store, dataset_reports, api):
    from bot.ingest import ingest

    ingest(
        store,
        [r for r in dataset_reports if r.date <= date(2026, 8, 1)],
        now=NOW,
        today=TODAY,
        hold_suspicious=False,
    )

    outcomes = await fetch_latest(store, api, now=NOW, today=TODAY)

    new = [o for o in outcomes if o.change == Arrival.NEW]
    assert [o.date for o in new] == [date(2026, 8, d) for d in range(2, 9)]
    assert all(o.status == ReportStatus.ACCEPTED for o in new)


async def test_a_day_skipped_by_the_source_shows_the_change_over_two_days(
    history_store, api, fake_api
):
    history_store.db.execute(
        "DELETE FROM figures WHERE report_id IN (SELECT id FROM reports WHERE date = ?)",
        [str(STORED_UNTIL)],
    )
    history_store.db.execute("DELETE FROM reports WHERE date = ?", [str(STORED_UNTIL)])
    fake_api.api.drop(STORED_UNTIL)

    await fetch_latest(history_store, api, now=NOW, today=TODAY)

    text = render.bulletin(bulletin_on(history_store), ["tanks"])
    # 12,246 on 2026-08-06, 12,251 on 2026-08-08.
    assert "Tanks: 12,251 (+5 over 2 days)" in text


async def test_a_decrease_is_held_with_its_reason_and_is_not_latest(history_store, api, fake_api):
    fake_api.api.set_total(LATEST, "tanks", 12200)  # 12,247 the day before

    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert outcome_on(outcomes).status == ReportStatus.HELD
    assert [f.kind for f in outcome_on(outcomes).findings] == [FindingKind.DECREASE]
    assert history_store.reports.latest_date() == STORED_UNTIL
    held = history_store.reports.with_status(ReportStatus.HELD)
    assert [r.date for r in held] == [LATEST]
    assert "Tanks went down: 12,247 → 12,200" in render.to_plain(
        render.held([(r, r.findings) for r in held])
    )


async def test_an_implausible_jump_is_held(history_store, api, fake_api):
    fake_api.api.set_total(LATEST, "tanks", 122510)  # a digit too many

    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert outcome_on(outcomes).status == ReportStatus.HELD
    assert [f.kind for f in outcome_on(outcomes).findings] == [FindingKind.JUMP]
    assert "Tanks rose by 110,263 in 1 day" in outcome_on(outcomes).findings[0].detail


async def test_a_missing_category_is_held(history_store, api, fake_api):
    del fake_api.api.records[LATEST]["stats"]["submarines"]

    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert outcome_on(outcomes).status == ReportStatus.HELD
    assert [(f.kind, f.category) for f in outcome_on(outcomes).findings] == [
        (FindingKind.MISSING, "submarines")
    ]


async def test_a_source_increase_that_disagrees_with_the_totals_is_held(
    history_store, api, fake_api
):
    fake_api.api.records[LATEST]["increase"]["tanks"] = 40

    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert outcome_on(outcomes).status == ReportStatus.HELD
    finding = outcome_on(outcomes).findings[0]
    assert (finding.kind, finding.category) == (FindingKind.INCREASE_MISMATCH, "tanks")
    assert "the source says +40, the stored totals give +4" in finding.detail


async def test_a_key_never_seen_before_is_stored_and_shown(history_store, api, fake_api):
    fake_api.api.records[LATEST]["stats"]["laser_systems"] = 3

    outcomes = await fetch_latest(history_store, api, now=NOW, today=TODAY)

    assert outcome_on(outcomes).status == ReportStatus.ACCEPTED
    assert history_store.reports.on(LATEST).totals["laser_systems"] == 3
    assert "Laser systems: 3 (new)" in render.bulletin(bulletin_on(history_store))


def test_a_new_database_is_seeded_from_the_bundled_history(store):
    assert seed_if_empty(store, now=NOW, today=TODAY) == 1626
    assert store.reports.latest_date() == date(2026, 8, 8)
    assert seed_if_empty(store, now=NOW, today=TODAY) == 0  # only when empty


async def test_the_api_tops_up_a_seeded_database_with_the_link(store, api):
    seed_if_empty(store, now=NOW, today=TODAY)

    outcomes = await fetch_latest(store, api, now=NOW, today=TODAY)

    # Same figures as the bundled history, but the API knows the original post.
    assert {(o.change, o.status) for o in outcomes} == {(Arrival.REVISED, ReportStatus.ACCEPTED)}
    assert store.reports.on(LATEST).link.endswith("/20260808")


def test_tally_line_counts_each_outcome():
    from bot.ingest import Outcome

    outcomes = [
        Outcome(TODAY, Arrival.NEW, ReportStatus.ACCEPTED),
        Outcome(TODAY, Arrival.NEW, ReportStatus.HELD),
        Outcome(TODAY, Arrival.UNCHANGED),
    ]
    assert tally_line(outcomes) == "2 new, 1 unchanged (1 held)"
    assert tally_line([]) == "nothing"


def test_merged_early_categories_count_towards_their_successor(store):
    seed_if_empty(store, now=NOW, today=TODAY)
    # 2022-04-30: military vehicles 1,701 + fuel tanks 76; 2022-05-01: one figure, 1,796.
    assert "Military vehicles: 1,701 (+6)" in render.bulletin(bulletin_on(store, date(2022, 4, 30)))
    text = render.bulletin(bulletin_on(store, date(2022, 5, 1)))
    assert "Vehicles and fuel tanks: 1,796 (+19)" in text
    assert "Military vehicles" not in text


def test_days_out_of_order_end_as_if_they_came_in_order(store, dataset_reports):
    from random import Random

    from bot.ingest import ingest

    recent = [r for r in dataset_reports if r.date >= date(2026, 6, 1)]
    shuffled = recent[:]
    Random(7).shuffle(shuffled)
    ingest(store, shuffled, now=NOW, today=TODAY, hold_suspicious=True)
    in_order = Store(store.path.with_name("in-order.db"))
    ingest(in_order, recent, now=NOW, today=TODAY, hold_suspicious=True)
    assert store.reports.effective_totals() == in_order.reports.effective_totals()
    assert (
        store.reports.with_status(ReportStatus.HELD)
        == []
        == in_order.reports.with_status(ReportStatus.HELD)
    )
    in_order.close()
