"""The small pieces every room says alike: a signed change, a figure that is missing, a
category's name inside a sentence or on a button, a source's name, the title and the caveat
under every figure, the line linking the original post."""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from datetime import UTC, datetime

from bot import categories, links, texts
from bot.figures import Change
from bot.render.markup import fill
from bot.store import StoredReport
from bot.texts import number


def signed(value: int) -> str:
    """'+4', '0', '−14' (a real minus sign)."""
    if value == 0:
        return "0"
    return f"+{number(value)}" if value > 0 else f"−{number(-value)}"


def change_text(change: Change) -> str:
    if change.delta is None:
        return texts.CHANGE_NEW
    if change.delta < 0:
        template = texts.CHANGE_DOWN_CORRECTED if change.after_correction else texts.CHANGE_DOWN
        return template.format(delta=signed(change.delta))
    if change.span_days > 1:
        template = texts.ngettext("CHANGE_OVER_DAYS", change.span_days)
        return template.format(delta=signed(change.delta), days=change.span_days)
    return texts.CHANGE.format(delta=signed(change.delta))


def title() -> str:
    """'Russian losses since 24 Feb 2022 (claimed by Ukraine's General Staff)': whose losses,
    since when and by whose count, at the head of everything a reader may see alone."""
    return texts.TITLE.format(losses=texts.LOSSES)


def caveat() -> str:
    """The one-line caveat under every figure, ending with /about as a link that opens the
    bot on it (t.me/<bot>?start=about): a command does nothing in a channel's post or in an
    inline result shared into another chat, a link works there too."""
    return _caveat(texts.current_language(), links.about_link())


@functools.lru_cache(maxsize=8)
def _caveat(language: str, link: str | None) -> str:
    """The caveat in `language` (the one being spoken), made once: it is under every reply."""
    about = f'<a href="{html.escape(link)}">/about</a>' if link else "/about"
    return texts.CAVEAT.format(about=about)


def in_text(key: str) -> str:
    """A category's name in the middle of a sentence: 'tanks', 'artillery systems', but
    'MLRS', 'БпЛА оперативно-тактичного рівня' (an abbreviation keeps its capitals)."""
    return mid_sentence(categories.get(key).name(texts.current_language()))


def mid_sentence(name: str) -> str:
    """A name as it stands inside a sentence: lower-case, unless it opens with an
    abbreviation (a word of more than one capital: ППО, БпЛА, MLRS)."""
    first = name.split(" ", 1)[0]
    if sum(letter.isupper() for letter in first) > 1:
        return name
    return name[:1].lower() + name[1:]


# The message naming each category, source and so on, in the language spoken (texts.message).
# Explicit, so that tests/test_texts.py can check every key has its message in every catalogue.

# A category's short name, where it has one (a button's label, a caption's line).
SHORT_NAME: Mapping[str, str] = {
    "personnel": "BUTTON_PERSONNEL",
    "tanks": "BUTTON_TANKS",
    "afv": "BUTTON_AFV",
    "artillery": "BUTTON_ARTILLERY",
    "mlrs": "BUTTON_MLRS",
    "air_defence": "BUTTON_AIR_DEFENCE",
    "aircraft": "BUTTON_AIRCRAFT",
    "helicopters": "BUTTON_HELICOPTERS",
    "uav": "BUTTON_UAV",
    "cruise_missiles": "BUTTON_CRUISE_MISSILES",
    "warships": "BUTTON_WARSHIPS",
    "submarines": "BUTTON_SUBMARINES",
    "vehicles": "BUTTON_VEHICLES",
    "special_equipment": "BUTTON_SPECIAL_EQUIPMENT",
    "ground_robots": "BUTTON_GROUND_ROBOTS",
}
# Each kind of source (config.SOURCE_URLS, and a pasted text) by name.
SOURCE_NAME: Mapping[str, str] = {
    "api": "SOURCE_API",
    "dataset": "SOURCE_DATASET",
    "text": "SOURCE_TEXT",
}
# How the General Staff's bulletin reached us through a source that republishes it.
VIA: Mapping[str, str] = {"api": "VIA_API", "dataset": "VIA_DATASET"}
# The line under a bulletin that has no link to its post, naming the source that gave it.
TAKEN_FROM: Mapping[str, str] = {"dataset": "TAKEN_FROM_DATASET"}


def short_name(key: str) -> str:
    """A category's short name, as its button says it ('Artillery', «ББМ»): where a phone
    has a narrow line; the full name for a category with no short one."""
    if key in SHORT_NAME:
        return texts.message(SHORT_NAME[key])
    return categories.get(key).name(texts.current_language())


# What stands for a figure or date that is not there: a dash, never '-' or '0'.
MISSING = "—"


def link_lines(report: StoredReport | None) -> list[str]:
    """The original post's line, when a link is known; else, for a day another source gave
    (the dataset, when the API was down or behind), which one (nothing for the rest: /sources
    says where the General Staff publishes)."""
    if report is None:
        return []
    if report.link:
        return [fill(texts.ORIGINAL_POST, link=report.link)]
    return [texts.message(TAKEN_FROM[report.source])] if report.source in TAKEN_FROM else []


def via(source: str) -> str:
    """How the General Staff's bulletin reached us, after its name (', as republished by
    russianwarship.rip'); nothing for a text pasted from the General Staff's own post, nor
    for a source this version does not know."""
    return texts.message(VIA[source]) if source in VIA else ""


def source_name(source: str) -> str:
    """Where a report came from, in the reader's words ('the public dataset'); a source this
    version does not know by name, as stored."""
    return texts.message(SOURCE_NAME[source]) if source in SOURCE_NAME else source


def maybe_number(value: int | None) -> str:
    return MISSING if value is None else number(value)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
