"""/export and `bulletin-bot export`: the effective figures, corrections applied and marked."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from bot.export import ExportError, export, parse_arguments
from bot.ingest import seed_if_empty
from bot.store import Store
from tests.bot_harness import ADMIN
from tests.conftest import NOW

TODAY, LATEST = date(2026, 8, 8), date(2026, 8, 8)


@pytest.fixture
def seeded(store):
    seed_if_empty(store, now=NOW, today=TODAY)
    return store


def test_csv_has_a_row_per_day_and_category(seeded):
    result = export(seeded, "csv", date(2026, 8, 7), date(2026, 8, 8))
    rows = list(csv.DictReader(io.StringIO(result.data.decode())))
    assert len(rows) == 2 * 15
    tanks = next(r for r in rows if r["date"] == "2026-08-08" and r["category"] == "tanks")
    assert tanks == {
        "date": "2026-08-08",
        "day": "1627",
        "category": "tanks",
        "name": "Tanks",
        "total": "12251",
        "change": "4",
        "span_days": "1",
        "corrected": "",
        "fetched_total": "",
        "link": "",
        "source": "dataset",  # which source gave the report: the bundled dataset
    }
    assert result.file_name == "russian-losses-claimed-2026-08-07-to-2026-08-08.csv"


def test_a_ukrainian_csv_opens_in_excel_as_set_up_in_ukraine(seeded, speak):
    """Excel in a uk-UA locale splits on ';' (',' is the decimal mark there) and reads a file
    without a byte order mark in the Windows code page: both are given, and the names are the
    reader's."""
    speak("uk")
    data = export(seeded, "csv", date(2026, 8, 8), date(2026, 8, 8)).data
    assert data.startswith("\ufeffdate;day;category;name;".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    names = {row["category"]: row["name"] for row in rows}
    assert names["tanks"] == "Танки" and names["air_defence"] == "Засоби ППО"
    speak("en")
    data = export(seeded, "csv", date(2026, 8, 8), date(2026, 8, 8)).data
    assert data.startswith(b"date,day,category,name,")  # plain, as scripts expect it


def test_a_corrected_figure_is_marked_with_the_fetched_one_beside_it(seeded):
    seeded.corrections.add(
        date(2022, 6, 25), "artillery", 764, 765, reason="test", author="cli:test", now=NOW
    )
    data = json.loads(export(seeded, "json", date(2022, 6, 25), date(2022, 6, 26)).data)
    first, second = data["days"]
    assert first["source"] == "dataset"
    assert first["figures"]["artillery"] == {
        "total": 765,
        "change": 6,
        "span_days": 1,
        "corrected": True,
        "fetched_total": 764,
    }
    # 764 again on 26 June: against the corrected 765, that day's change is -1.
    assert second["figures"]["artillery"] == {
        "total": 764,
        "change": -1,
        "span_days": 1,
        "corrected": False,
    }
    assert "not" in data["caveat"] and data["days"][0]["day"] == 122


@pytest.mark.parametrize(
    "words, expected",
    [
        ([], ("csv", date(2022, 2, 24), LATEST)),
        (["JSON", "2024-01-01"], ("json", date(2024, 1, 1), LATEST)),
        (["2024-01-01", "2024-01-31", "csv"], ("csv", date(2024, 1, 1), date(2024, 1, 31))),
    ],
)
def test_arguments(words, expected):
    assert parse_arguments(words, TODAY, LATEST, prefix="/") == expected


@pytest.mark.parametrize(
    "words, message",
    [
        (["xml"], "“xml” is not a format: write csv or json"),
        (["2024-02-01", "2024-01-01"], "put the earlier date"),
        (["2030-01-01"], "is in the future"),
        (["2024-01-01"] * 3, "Write it as /export"),
    ],
)
def test_bad_arguments(words, message):
    with pytest.raises(ExportError, match=message):
        parse_arguments(words, TODAY, LATEST, prefix="/")


async def test_export_in_telegram_sends_a_file(bot):
    reply = await bot.ask("/export json 2026-08-01", chat_id=ADMIN)
    assert reply.method == "sendDocument"
    assert reply.file_name == "russian-losses-claimed-2026-08-01-to-2026-08-07.json"
    assert len(json.loads(reply.attachment)["days"]) == 7
    assert "corrections applied and marked" in reply.text
    reply = await bot.ask("/export pdf")
    assert "“pdf” is not a format: write csv or json" in reply.text


def test_export_from_the_command_line_to_a_file(tmp_path, monkeypatch):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    seed_if_empty(Store(tmp_path / "bulletin.db"), now=NOW, today=TODAY)
    assert main(["export", "csv", "2026-08-08", "-o", "out.csv"]) == 0
    assert (tmp_path / "out.csv").read_text().splitlines()[0].startswith("date,day,category")


async def test_an_export_is_read_in_the_drawing_process_in_the_readers_language(bot):
    """Built in the drawing process (bot/drawing.py, `in_store`), not a worker thread holding
    the bot's interpreter lock while a crowd waits; the reader's language goes with it."""
    reply = await bot.ask("/export csv 2026-08-06", chat_id=4004, language_code="uk")
    assert reply.method == "sendDocument"
    lines = reply.attachment.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("date;day;category;name")
    assert any(";tanks;Танки;" in line for line in lines)
    assert bot.services.charts.drawing.pids(), "no drawing process: read on the bot's threads"
