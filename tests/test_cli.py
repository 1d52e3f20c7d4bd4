"""The command line as an operator uses it: what it prints and its exit status."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import date, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.ingest import seed_if_empty
from bot.store import Store
from tests.conftest import NOW, damage_table
from tests.fake_statistics_api import DATASET, FakeDataset, Server


@pytest.fixture
def run(tmp_path, capsys, fake_api):
    """Run `bulletin-bot ARGS` in-process against a config for this test: (status, out, err)."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n[source]\nurl = "{fake_api.url}"\n'
    )

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--config", str(config), *args], clock=FixedClock(NOW))
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory):
    """A database as `console`, `run` or `import` first make it: the bundled history."""
    path = tmp_path_factory.mktemp("seeded") / "bulletin.db"
    store = Store(path)
    seed_if_empty(store, now=NOW, today=NOW.date())
    store.close()
    return path


@pytest.fixture
def run_on_seeded(run, tmp_path, seeded_file):
    """`run`, with the database a first start makes (the bundled history, to 2026-08-08)."""
    shutil.copyfile(seeded_file, tmp_path / "bulletin.db")
    return run


@pytest.fixture
def run_on_history(run, tmp_path, history_file):
    """`run`, with the database holding the real history up to the day before the API's latest."""
    shutil.copyfile(history_file, tmp_path / "bulletin.db")
    return run


def test_a_fresh_folder_answers_from_the_bundled_history_and_reading_leaves_no_file(run, tmp_path):
    for command, expected in (
        (("latest", "tanks"), "Tanks: 12,251 (+4)"),
        (("on", "2022-06-25", "tanks"), "Tanks: 1,511 (+4)"),
        (("compare", "tanks"), "Tanks"),
        (("export", "csv", "2026-08-08"), "2026-08-08"),
    ):
        status, out, err = run(*command)
        assert (status, err) == (0, ""), command
        assert expected in out, command
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
    # A command that writes (here the admin's desk, which audits) makes the database.
    status, out, _ = run("held")
    assert (status, out) == (0, "No bulletins are on hold.\n")
    assert (tmp_path / "bulletin.db").exists() and (tmp_path / "bulletin.db.created").exists()


@pytest.mark.parametrize("command", [("latest",), ("held",), ("fetch",), ("import", "x.json")])
def test_a_database_gone_from_beside_its_marker_is_refused_by_every_command(run, tmp_path, command):
    (tmp_path / "bulletin.db.created").write_text("created 2026-08-01 06:30 UTC\n")
    status, out, err = run(*command)
    assert (status, out) == (1, "")
    assert "is gone, but one was created there (created 2026-08-01 06:30 UTC)" in err
    assert "bulletin-bot restore BACKUP" in err
    assert not (tmp_path / "bulletin.db").exists()


def test_latest_on_a_first_database_uses_the_bundled_history(run_on_seeded):
    status, out, _ = run_on_seeded("latest")
    assert status == 0
    assert "8 August 2026 · day 1627 of the full-scale invasion" in out
    assert "Personnel: about 1,456,610 (+1,190)" in out
    assert "Tanks: 12,251 (+4)" in out
    assert "Claimed by Ukraine's General Staff, a party to the war; not independently " in out
    assert "<b>" not in out


def test_latest_with_categories_shows_just_those(run_on_seeded):
    status, out, _ = run_on_seeded("latest", "танки", "air", "defence")
    lines = [line for line in out.splitlines() if ": " in line and "(" in line]
    assert status == 0
    assert lines == ["Tanks: 12,251 (+4)", "Air defence systems: 1,556 (+6)"]


def test_category_words_read_as_telegram_reads_them(run_on_seeded):
    """One reading of category words for both front ends (bot/reading.py): "all", the word of
    the bulletin's button in Telegram, is every category here too."""
    everything = run_on_seeded("latest")
    assert run_on_seeded("latest", "all") == everything
    assert run_on_seeded("latest", "усі") == everything


def test_an_unknown_category_gets_suggestions_and_exit_2(run_on_seeded):
    status, out, err = run_on_seeded("latest", "tankz")
    assert (status, out) == (2, "")
    assert "Unknown category “tankz”. Did you mean: tanks" in err
    assert "Try: bulletin-bot latest tanks" in err


def test_on_a_past_date(run_on_seeded):
    status, out, _ = run_on_seeded("on", "25.06.2022", "tanks", "artillery")
    assert status == 0
    assert "25 June 2022 · day 122" in out
    assert "Tanks: 1,511 (+4)" in out
    assert "Artillery systems: 764 (+5)" in out


def test_a_downward_revision_is_shown_as_such(run_on_seeded):
    _, out, _ = run_on_seeded("on", "2022-10-13", "apv")
    assert "Armoured combat vehicles: 5,167 (−14, revised down by the source)*" in out
    assert (
        "* Armoured combat vehicles: lower than the day before, as published by the source." in out
    )


def test_a_category_the_day_did_not_have(run_on_seeded):
    _, out, _ = run_on_seeded("on", "2022-06-25", "submarines")
    assert "Not in the bulletin of 25 June 2022: submarines." in out


@pytest.mark.parametrize(
    "date, message",
    [
        ("2030-01-01", "1 January 2030 is in the future."),
        ("tomorrow", "is in the future."),
        ("2021-12-31", "before the bulletin began on 24 February 2022"),
        ("31.02.2022", "“31.02.2022” is not a real calendar date."),
        ("banana", "“banana” is not a date; write it as 2022-06-25, 25.06.2022, today or"),
        ("0000-00-00", "not a real calendar date"),
        ("99999-01-01", "is not a date"),
    ],
)
def test_a_bad_date_says_what_to_type(run, date, message):
    status, out, err = run("on", date)
    assert (status, out) == (2, "")
    assert message in err


def test_fetch_stores_and_prints_the_new_bulletin(run_on_history):
    status, out, _ = run_on_history("fetch")
    assert status == 0
    # One summary line: the new day, and the recent days re-read with their original posts.
    assert out.startswith("1 new, 14 revised\nRussian losses since 24 Feb 2022")
    assert "Original post: https://www.facebook.com/GeneralStaff.ua/posts/20260808" in out


def test_fetch_says_how_many_subscribers_get_the_new_bulletin(run_on_history, tmp_path):
    store = Store(tmp_path / "bulletin.db")
    store.subscribers.subscribe(501, "private", send_at=None, timezone="Europe/Kyiv", now=NOW)
    store.close()
    status, out, _ = run_on_history("fetch")
    assert status == 0
    assert out.startswith("1 new, 14 revised\nQueued for 1 subscriber.\nRussian losses")


def test_fetch_from_a_broken_source_fails_with_the_reason(run_on_history, fake_api):
    fake_api.api.fail("html")
    status, out, err = run_on_history("fetch")
    assert (status, out) == (1, "")
    assert "fetch failed:" in err and "returned HTML, not the expected JSON" in err


def test_fetch_prints_its_outcome_and_no_log_lines_unless_verbose(run_on_history, fake_api):
    fake_api.api.fail("html")
    status, _, err = run_on_history("fetch")
    assert status == 1 and err.count("\n") == 1 and err.startswith("fetch failed:")
    status, _, err = run_on_history("-v", "fetch")
    assert status == 1 and "level=ERROR logger=bot.poll fetch failed source=api" in err


def test_the_command_line_names_its_own_commands_not_telegrams(run_on_seeded):
    _, out, _ = run_on_seeded("latest", "tanks")
    assert out.rstrip().endswith("not independently verified. More: bulletin-bot about")
    status, out, _ = run_on_seeded("about")
    assert status == 0 and out.startswith("What the figures mean\n")
    _, _, err = run_on_seeded("uncorrect", "5")
    assert err == "There is no correction 5 in force. bulletin-bot corrections lists them.\n"
    _, _, err = run_on_seeded("approve", "2026-08-01")
    assert err == "No bulletin of 1 August 2026 is on hold. bulletin-bot held lists them.\n"
    _, _, err = run_on_seeded("approve")
    assert err.startswith("Write it as bulletin-bot approve DATE, for example: bulletin-bot ")
    assert "/" not in err


def test_a_fetch_asks_whether_the_dataset_changed_since_any_process_downloaded_it(
    tmp_path, history_file
):
    """The dataset's ETag lived in memory only, so every `fetch` (a process of its own)
    downloaded both files again: 920 KB a time for the real ones."""
    shutil.copyfile(history_file, tmp_path / "bulletin.db")
    dataset = FakeDataset.since(date(2026, 5, 1))

    def fetch() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(tmp_path / "config.toml"), "fetch"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    with Server(dataset, path="/data") as server:
        (tmp_path / "config.toml").write_text(
            f'[[sources]]\nkind = "dataset"\nurl = "{server.url}"\n'
        )
        first = fetch()
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("1 new, 14 unchanged\n"), first.stdout
        assert dataset.not_modified == 0
        second = fetch()
        assert second.returncode == 0, second.stderr
        assert dataset.not_modified == 2  # both files: 304 Not Modified, nothing downloaded
        assert second.stdout == "15 unchanged\n"
        dataset.set_total(date(2026, 8, 8), "tank", dataset.rows[date(2026, 8, 8)]["tank"] + 1)
        third = fetch()  # the equipment file changed: downloaded, and its change seen
    assert dataset.not_modified == 3
    assert third.stdout.startswith("1 revised, 14 unchanged\n"), third.stdout
    assert "Tanks: 12,252 (+5)" in third.stdout


def test_held_lists_a_held_decrease_with_its_reason(run_on_history, fake_api):
    fake_api.api.set_total(NOW.date(), "mlrs", 1900)
    status, out, _ = run_on_history("fetch")
    assert "2026-08-08: new, held\n  - MLRS went down: 2,008 -> 1,900" in out

    status, out, _ = run_on_history("held")
    assert status == 0
    assert "Bulletins on hold (1):\n2026-08-08 (revision 1, from the russianwarship.rip API" in out
    assert "  • MLRS went down: 2,008 → 1,900" in out
    # ... and latest is still the day before.
    _, out, _ = run_on_history("latest", "mlrs")
    assert "7 August 2026" in out


def test_backfill_pages_through_the_history(run_on_history):
    status, out, _ = run_on_history("backfill", "--from", "2026-08-01", "--to", "2026-08-08")
    assert status == 0
    # The API brings the original posts' links to seven stored days, and one new day.
    assert out.splitlines()[0] == "1 new, 7 revised"


def test_backfill_holds_a_revision_that_goes_down_and_keeps_what_readers_saw(
    run_on_history, fake_api
):
    fake_api.api.set_total(date(2026, 8, 5), "tanks", 12230)  # 12,237 on 4 August
    status, out, _ = run_on_history("backfill", "--from", "2026-08-01", "--to", "2026-08-07")
    assert status == 0
    assert "2026-08-05: revised, held\n  - Tanks went down: 12,237 -> 12,230" in out
    _, out, _ = run_on_history("on", "2026-08-05", "tanks")
    assert "Tanks: 12,242 (+5)" in out
    _, out, _ = run_on_history("held")
    assert "Tanks 12,230" in out  # the held figures, for the admin to judge


@pytest.fixture
def dataset_url():
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(DATASET))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_import_the_dataset_from_its_urls(run, dataset_url):
    files = [f"{dataset_url}/russia_losses_{kind}.json" for kind in ("equipment", "personnel")]
    status, out, _ = run("import", *files)
    assert status == 0
    assert out.splitlines()[0] == "1626 new"
    # One summary line, then only the days accepted with a note: no line per day.
    assert len(out.splitlines()) < 60
    # Importing the same files again stores nothing.
    assert run("import", *files)[1].splitlines()[0] == "1626 unchanged"
    _, out, _ = run("on", "2022-03-31", "pow", "srbm", "military", "vehicles", "fuel", "tanks")
    assert "Prisoners of war: 459 (+29)" in out
    assert "Mobile SRBM systems: 4 (0)" in out
    assert "Military vehicles: 1,201 (+17)" in out
    assert "Fuel tanks: 75 (0)" in out


def test_notes_on_the_real_history_name_no_retired_category_as_missing(run_on_seeded):
    status, out, _ = run_on_seeded("notes")
    assert status == 0
    assert out.startswith("Notes on accepted bulletins (")
    assert "2022-10-13 Armoured combat vehicles went down: 5,181 → 5,167" in out
    # Prisoners of war (last on 27 April 2022), SRBM systems, military vehicles and fuel tanks
    # (last on 30 April 2022) were retired by the bulletin, not left out of it.
    assert "missing" not in out
    _, out, _ = run_on_seeded("notes", "2022-10-13")
    assert out.splitlines() == [
        "Notes on accepted bulletins (1):",
        "2022-10-13 Armoured combat vehicles went down: 5,181 → 5,167",
    ]


def test_import_a_file_that_is_not_a_daily_figures_file(run):
    status, out, err = run("import", str(DATASET / "russia_losses_equipment_oryx.json"))
    assert (status, out) == (1, "")
    assert "rows have no 'date'" in err


def test_import_a_missing_file(run, tmp_path):
    status, _, err = run("import", str(tmp_path / "nope.json"))
    assert status == 1
    assert "nope.json: No such file or directory" in err


def test_a_missing_config_file(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "missing.toml"), "latest"]) == 2
    assert "configuration: " in capsys.readouterr().err


def test_a_first_import_makes_the_database_that_latest_then_reads_as_real_processes(tmp_path):
    def bulletin_bot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    files = [str(DATASET / f"russia_losses_{k}.json") for k in ("equipment", "personnel")]
    assert bulletin_bot("import", *files).returncode == 0
    result = bulletin_bot("latest", "tanks")
    assert result.returncode == 0, result.stderr
    assert "Tanks: 12,251 (+4)" in result.stdout
    assert Path(tmp_path / "bulletin.db").stat().st_size > 100_000


def test_an_operator_corrects_and_withdraws_from_the_command_line(run_on_history):
    status, out, _ = run_on_history("correct", "2026-08-07", "artillery", "47600", "typo")
    assert status == 0
    assert out.startswith(
        "Correction 1: Artillery systems on 7 August 2026 is now 47,600 (was 47,522)"
    )
    _, out, _ = run_on_history("on", "2026-08-07", "artillery")
    assert "Artillery systems: 47,600 (+145)*" in out
    _, out, _ = run_on_history("corrections")
    assert "#1 2026-08-07 Artillery systems: 47,522 → 47,600 by cli:" in out
    status, out, _ = run_on_history("uncorrect", "1")
    assert (status, out.strip()) == (
        0,
        "Correction 1 withdrawn: Artillery systems on 7 August 2026 is 47,522 again.",
    )


def test_a_bad_correction_on_the_command_line_exits_2(run_on_history):
    status, out, err = run_on_history("correct", "2026-08-07", "artillery", "-3")
    assert (status, out) == (2, "")
    assert "“-3” is not a whole number from 0 to 100,000,000." in err


def test_approve_and_stats_from_the_command_line(run_on_history, fake_api):
    fake_api.api.set_total(NOW.date(), "mlrs", 1900)
    run_on_history("fetch")
    status, out, _ = run_on_history("approve", "2026-08-08")
    assert status == 0
    assert out.startswith(
        "The bulletin of 8 August 2026 is accepted as it is. Queued for 0 subscribers.\n\n"
    )
    # What subscribers get, as it will read.
    assert "MLRS: 1,900 (−108, revised down by the source)*" in out
    _, out, _ = run_on_history("stats")
    assert "Held bulletins: 0" in out
    assert "Last fetch: 2026-08-08 06:30 UTC, ok\n" in out


def test_health_is_ok_after_a_recent_poll(run_on_history):
    assert run_on_history("health")[0] == 1  # never polled
    run_on_history("fetch")
    status, out, _ = run_on_history("health")
    assert (status, out.strip()) == (0, "ok: last poll 0 min ago (ok), database writable")


def test_health_fails_when_polling_stopped(run_on_history, tmp_path, capsys):
    run_on_history("fetch")
    config = tmp_path / "config.toml"
    later = FixedClock(NOW + timedelta(hours=2))
    assert main(["--config", str(config), "health"], clock=later) == 1
    assert "unhealthy: the last poll was 2 h 0 min ago (limit 1 h 0 min)" in capsys.readouterr().err


def test_health_is_unhealthy_after_as_many_failed_polls_in_a_row_as_alert_the_admins(
    run_on_history, tmp_path, fake_api, capsys
):
    """It said "ok: last poll 10 min ago (failed)" while every poll failed, so the container
    showed healthy through a source outage."""

    def at(minutes: int, command: str) -> tuple[int, str, str]:
        clock = FixedClock(NOW + timedelta(minutes=minutes))
        status = main(["--config", str(tmp_path / "config.toml"), command], clock=clock)
        return status, *capsys.readouterr()

    assert at(0, "fetch")[0] == 0
    fake_api.api.fail("html")
    for poll in (1, 2):
        assert at(20 * poll, "fetch")[0] == 1
        assert at(20 * poll + 1, "health")[:2] == (
            0,
            f"ok: last poll 1 min ago (failed, {poll} in a row of 3 allowed), database writable\n",
        )
    at(60, "fetch")
    status, out, err = at(61, "health")
    assert (status, out) == (1, "")
    assert err.startswith(
        "unhealthy: the last 3 polls failed ([alerts] source_failures = 3), the last 1 min ago: "
    )
    assert "returned HTML, not the expected JSON" in err
    fake_api.api.fail("html", times=0)  # the source is back
    assert at(80, "fetch")[0] == 0
    assert at(81, "health")[:2] == (0, "ok: last poll 1 min ago (ok), database writable\n")


def test_health_fails_when_the_database_cannot_be_written(run_on_history, tmp_path):
    run_on_history("fetch")
    other_writer = sqlite3.connect(tmp_path / "bulletin.db", isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        status, _, err = run_on_history("health")
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert status == 1
    assert "unhealthy: the database cannot be written: database is locked" in err
    assert run_on_history("health")[0] == 0  # and fine again once the lock is gone


def test_the_audit_log_from_the_command_line(run_on_history):
    run_on_history("correct", "2026-08-07", "tanks", "12250", "typo")
    status, out, _ = run_on_history("audit", "5")
    assert status == 0
    assert " cli:" in out and " correct: #1 2026-08-07 tanks 12247 -> 12250 (typo)" in out
    assert run_on_history("audit", "lots")[0] == 2


def test_paste_reads_a_file_or_standard_input_like_an_admins_paste(run_on_history, tmp_path):
    bulletin = Path(__file__).parent / "fixtures" / "bulletins" / "en_2026-08-08.txt"
    status, out, _ = run_on_history("paste", str(bulletin))
    assert status == 0
    assert out.startswith("Read a bulletin for 8 August 2026: new, accepted.")
    assert "Tanks: 12,251" in out
    news = tmp_path / "news.txt"
    news.write_text("Bulletin of 08.08.2026: Russia has lost 12,251 tanks and armoured vehicles.")
    status, out, err = run_on_history("paste", str(news))
    assert (status, out) == (2, "")
    assert "names 2 categories (Tanks, Armoured combat vehicles)" in err


def test_stored_text_never_reaches_the_terminal_as_escape_codes(run, tmp_path):
    from bot.store import Store

    store = Store(tmp_path / "bulletin.db")
    store.logs.audit(
        "telegram:1", "correct", allowed=False, detail="\x1b]0;pwned\x07\x1b[2J", now=NOW
    )
    store.close()
    status, out, _ = run("audit")
    assert status == 0
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07\\x1b[2J" in out


def test_the_database_is_readable_by_its_owner_alone(run, tmp_path):
    run("import", *(str(DATASET / f"russia_losses_{k}.json") for k in ("equipment", "personnel")))
    for name in ("bulletin.db", "bulletin.db-wal"):
        mode = (tmp_path / name).stat().st_mode & 0o777
        assert mode == 0o600, (name, oct(mode))
    run("backup", str(tmp_path / "copy.db"))
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600


def test_health_says_a_damaged_database_is_damaged(run, tmp_path):
    (tmp_path / "bulletin.db").write_bytes(b"this is no database" * 100)
    status, _, err = run("health")
    assert status == 1
    assert "unhealthy: the database is damaged" in err
    assert "Traceback" not in err


def test_a_refusal_names_commands_as_the_command_line_does_and_quotes_words_as_typed(
    run_on_seeded,
):
    """A refusal is told the command line's spelling of a command, not Telegram's; the words
    it quotes back are as typed: a '/held' or an '&amp;' among them is not rewritten."""
    status, out, err = run_on_seeded("notes", "2026-08-01", "2026-08-02")
    assert (status, out) == (2, "")
    assert err == (
        "Write it as bulletin-bot notes [DATE], for example: bulletin-bot notes 2022-10-13.\n"
    )
    status, _, err = run_on_seeded("export", "xml")
    assert status == 2
    assert err.endswith("write csv or json, for example bulletin-bot export json 2024-01-01\n")
    for typed in ("/held", "a&amp;b"):
        status, _, err = run_on_seeded("correct", "2026-08-07", typed, "764")
        assert status == 2
        assert err.startswith(f"Unknown category “{typed}”.")
        assert "\nTry: bulletin-bot correct 2022-06-25 " in err


def test_a_database_sqlite_cannot_read_is_one_line_and_status_1(run_on_seeded, tmp_path):
    damage_table(tmp_path / "bulletin.db", "figures")
    status, out, err = run_on_seeded("latest")
    assert (status, out) == (1, "")
    assert err == "bulletin-bot: the database cannot be used: database disk image is malformed\n"


def test_on_without_a_date_asks_for_one_and_not_for_a_category(run_on_seeded):
    status, out, err = run_on_seeded("on")
    assert (status, out) == (2, "")
    assert "which date? For example: bulletin-bot on 2022-06-25 tanks" in err
    assert "CATEGORY" not in err


def test_compare_sets_the_claim_beside_oryx_and_refuses_a_misspelt_category(run_on_seeded):
    status, out, err = run_on_seeded("compare", "tanks", "2025-07-19")
    assert status == 0 and err == ""
    assert "on 19 July 2025\nTanks: 11,032 claimed, 4,074 documented (2.7 times fewer)" in out
    assert "a lower bound" in out
    status, out, err = run_on_seeded("compare", "tankz")
    assert status == 2 and "Did you mean: tanks?" in err and "bulletin-bot compare tanks" in err


def test_import_takes_a_newer_oryx_file_and_compare_uses_it(run_on_seeded, tmp_path):
    newer = tmp_path / "daily_count_russia.csv"
    newer.write_text(
        "country,equipment_type,destroyed,abandoned,captured,damaged,type_total,date_recorded\n"
        "Russia,Tanks,4000,400,500,100,5000,2026-08-01\n"
    )
    status, out, err = run_on_seeded("import", str(newer))
    assert (status, err) == (0, "")
    assert "Oryx's counts imported (rows: 1, equipment types: 1, to 2026-08-01)" in out
    status, out, err = run_on_seeded("compare", "tanks")
    assert "on 1 August 2026\nTanks: " in out and " 5,000 documented (" in out

    broken = tmp_path / "broken.csv"
    broken.write_text("date,total\n2026-08-02,6000\n")
    status, out, err = run_on_seeded("import", str(broken))
    assert status == 2 and "broken.csv: not Oryx's daily counts (missing columns:" in err
    assert "5,000 documented" in run_on_seeded("compare", "tanks")[1]  # the last good one kept


def test_on_with_sources_lists_where_each_figure_came_from(run_on_seeded):
    run_on_seeded("correct", "2026-08-08", "tanks", "12250", "typo")
    status, out, err = run_on_seeded("on", "2026-08-08", "tanks", "--sources")
    assert (status, err) == (0, "")
    assert "Tanks: 12,250" in out
    where = out.split("Where the figures of 8 August 2026 came from\n")[1].splitlines()
    assert where[0].endswith(": revision 1 from the public dataset, accepted")
    assert ": correction 1 by cli:" in where[1]
    assert where[1].endswith(": Tanks 12,250 (was 12,251), typo")


def test_backfill_never_sends_a_day_as_the_morning_bulletin(run_on_history, tmp_path):
    """8 August comes in by a backfill: history, not news, even though it is today's."""
    store = Store(tmp_path / "bulletin.db")
    store.subscribers.subscribe(501, "private", send_at=None, timezone="Europe/Kyiv", now=NOW)
    store.close()
    status, out, _ = run_on_history("backfill", "--from", "2026-08-01", "--to", "2026-08-08")
    assert status == 0 and out.splitlines()[0] == "1 new, 7 revised"
    store = Store(tmp_path / "bulletin.db")
    assert store.db.execute("SELECT kind, subject FROM outbox").fetchall() == []
    store.close()


# The operator's tools never destroy data ------------------------------------------------------


def fingerprint(path: Path) -> tuple[bytes, int]:
    """A file's content and permission bits, to show it was left as it was."""
    return path.read_bytes(), path.stat().st_mode & 0o777


def database_files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """What is on disk of the database: every file of it that exists."""
    names = ("bulletin.db", "bulletin.db-wal", "bulletin.db-shm", "bulletin.db.created")
    return {name: fingerprint(folder / name) for name in names if (folder / name).exists()}


def refused(status: int, out: str, err: str) -> str:
    """A refusal: exit 2, nothing on standard output, one line on standard error."""
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "name",
    [
        "bulletin.db",
        "bulletin.db-wal",
        "bulletin.db-shm",
        "bulletin.db-wal.owner",
        "bulletin.db.created",
        "link.db",
        "hard",
    ],
)
@pytest.mark.parametrize("command", ["export", "backup"])
def test_export_and_backup_never_write_onto_the_database(run_on_seeded, tmp_path, command, name):
    (tmp_path / "bulletin.db.created").write_text("created 2026-08-08 06:30 UTC\n")
    (tmp_path / "link.db").symlink_to(tmp_path / "bulletin.db")
    os.link(tmp_path / "bulletin.db", tmp_path / "hard")
    before = database_files(tmp_path)
    output = ["csv", "-o"] if command == "export" else []
    for force in ([], ["--force"]):
        err = refused(*run_on_seeded(command, *output, str(tmp_path / name), *force))
        assert "is the database" in err and "name another file" in err
        assert database_files(tmp_path) == before
    assert "Tanks: 12,251" in run_on_seeded("latest", "tanks")[1]


def test_export_refuses_an_existing_file_unless_forced_and_writes_0600(run_on_seeded, tmp_path):
    mine = tmp_path / "notes.csv"
    mine.write_text("my own notes\n")
    mine.chmod(0o644)
    err = refused(*run_on_seeded("export", "csv", "-o", str(mine)))
    assert f"{mine} already exists: name a new file, or add --force to replace it" in err
    assert fingerprint(mine) == (b"my own notes\n", 0o644)

    status, out, err = run_on_seeded("export", "csv", "-o", str(mine), "--force")
    assert (status, out, err) == (0, "", "")
    assert mine.read_text().startswith("date,day,category,name,total,change,")
    assert mine.stat().st_mode & 0o777 == 0o600

    new = tmp_path / "new.json"
    assert run_on_seeded("export", "json", "2026-08-01", "-o", str(new))[0] == 0
    assert new.read_text().startswith("{") and new.stat().st_mode & 0o777 == 0o600
    # Written through a file of its own beside the target: none is left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("bulletin.db")) == [
        "config.toml",
        "new.json",
        "notes.csv",
    ]


def test_export_into_a_folder_says_to_name_a_file(run_on_seeded, tmp_path):
    err = refused(*run_on_seeded("export", "-o", str(tmp_path), "--force"))
    assert f"{tmp_path} is a folder: name a file in it, e.g. -o {tmp_path}/russian-losses" in err


def test_backup_refuses_another_programs_database_unless_forced(run_on_seeded, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE accounts (name TEXT)")
        connection.execute("INSERT INTO accounts VALUES ('precious')")
    connection.close()
    other.chmod(0o644)
    before = fingerprint(other)
    err = refused(*run_on_seeded("backup", str(other)))
    assert "already exists: name a new file, or add --force to replace it" in err
    assert fingerprint(other) == before

    status, out, _ = run_on_seeded("backup", str(other), "--force")
    assert status == 0 and out.startswith(f"backed up {tmp_path / 'bulletin.db'} to {other}")
    assert other.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(other) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert "reports" in tables and "accounts" not in tables


def test_backup_never_replaces_a_database_in_use_even_when_forced(run_on_seeded, tmp_path):
    other = tmp_path / "other.db"
    program = sqlite3.connect(other, isolation_level=None)  # another program, running
    try:
        program.execute("PRAGMA journal_mode = wal")
        program.execute("CREATE TABLE accounts (name TEXT)")
        program.execute("INSERT INTO accounts VALUES ('precious')")
        err = refused(*run_on_seeded("backup", str(other), "--force"))
        assert f"{other}-wal exists, so {other} is a database in use" in err
        assert program.execute("SELECT name FROM accounts").fetchall() == [("precious",)]
    finally:
        program.close()


@pytest.mark.parametrize("name", ["bulletin.db", "link.db"])
def test_restore_refuses_the_database_itself(run_on_seeded, tmp_path, name):
    (tmp_path / "link.db").symlink_to(tmp_path / "bulletin.db")
    before = database_files(tmp_path)
    err = refused(*run_on_seeded("restore", str(tmp_path / name)))
    assert "not restored: " in err and "is the database itself" in err
    assert "name a backup file made by bulletin-bot backup" in err
    assert database_files(tmp_path) == before


def test_the_audit_log_shows_bidi_controls_and_line_separators_as_escapes(run, tmp_path):
    store = Store(tmp_path / "bulletin.db")
    typed = "tanks\u202e\u2066evil\u2069\u2028\u2029\u202a\u2067\u2068"
    store.logs.audit("telegram:1", "correct", allowed=False, detail=typed, now=NOW)
    store.close()
    status, out, _ = run("audit")
    assert status == 0
    assert "tanks\\u202e\\u2066evil\\u2069\\u2028\\u2029\\u202a\\u2067\\u2068" in out
    for character in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029":
        assert character not in out


def test_a_backup_restored_can_be_backed_up_onto_again(run_on_seeded, tmp_path):
    """A backup is one file: restoring from it leaves no -wal beside it to look in use."""
    backup = tmp_path / "b1.db"
    assert run_on_seeded("backup", str(backup))[0] == 0
    assert run_on_seeded("restore", str(backup))[0] == 0
    assert not (tmp_path / "b1.db-wal").exists() and not (tmp_path / "b1.db-shm").exists()
    status, _, err = run_on_seeded("backup", str(backup), "--force")
    assert status == 0, err
