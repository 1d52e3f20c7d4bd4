"""The message catalogues: every message in every language, with the same fields."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bot import categories, render, texts
from bot.config import SOURCE_URLS
from bot.ingest import Arrival
from bot.report import FindingKind
from bot.sources import text
from bot.store import ReportStatus, SummaryFormat
from bot.summary import Digest
from bot.telegram import keyboards, menus, settings

CODE = Path(__file__).parents[1] / "bot"


def fields(message: str | tuple[str, ...]) -> set[str]:
    """The fields of a message, or of every plural form of it together."""
    forms = message if isinstance(message, tuple) else (message,)
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def test_every_language_has_every_message():
    english = set(texts.catalogue("en"))
    for language in texts.LANGUAGES:
        assert set(texts.catalogue(language)) == english, language


@pytest.mark.parametrize("language", [lang for lang in texts.LANGUAGES if lang != "en"])
def test_translations_keep_every_field_and_add_none(language):
    for name, english in texts.catalogue("en").items():
        translated = texts.catalogue(language)[name]
        assert isinstance(translated, tuple) == isinstance(english, tuple), name
        for form in translated if isinstance(translated, tuple) else (translated,):
            assert form.strip(), f"{language} {name} is empty"
            assert fields(form) == fields(english), f"{language} {name}: {form}"


def test_every_message_the_code_names_exists():
    named = set()
    for path in CODE.rglob("*.py"):
        named |= set(re.findall(r"\btexts\.([A-Z][A-Z_]+)\b", path.read_text()))
        named |= set(re.findall(r"\bmessages?\.([A-Z][A-Z_]+)\b", path.read_text()))
    named -= {"LANGUAGES", "DEFAULT_LANGUAGE"}
    assert named, "found no message names in the code"
    missing = named - set(texts.catalogue("en"))
    assert not missing


def test_every_menu_command_has_a_description():
    for language in texts.LANGUAGES:
        for command in (*menus.COMMANDS, *menus.ADMIN):
            assert getattr(texts.of(language), render.COMMAND_DESCRIPTION[command])


@pytest.mark.parametrize(
    "code, language", [("uk", "uk"), ("uk-UA", "uk"), ("en-GB", "en"), ("de", "en"), (None, "en")]
)
def test_language_for(code, language):
    assert texts.language_for(code) == language


def test_an_unknown_language_falls_back_to_english():
    assert texts.of("fr").CAVEAT == texts.of("en").CAVEAT
    with pytest.raises(AttributeError, match="no message NOPE"):
        getattr(texts.of("uk"), "NOPE")  # noqa: B009


WHOLE_NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=-(2**53), max_value=2**53).map(float),
    st.sampled_from([0, 999, 1_000, -1_000, 0.0, -0.0, 2.0**53, 1e20, 5e-324]),
)


@pytest.mark.parametrize("language", texts.LANGUAGES)
@given(value=st.one_of(WHOLE_NUMBERS, st.floats(allow_nan=False, allow_infinity=False)))
@examples(max_examples=400)
def test_numbers_are_written_exactly_as_babel_writes_them(language, value):
    """`number` groups whole numbers itself, with the separator taken from Babel once: the
    text must be Babel's own, to the character ('12 247' in Ukrainian has a no-break space)."""
    texts.set_language(language)
    try:
        for pattern in (None, "#,##0.0"):
            ours = outcome(lambda: texts.number(value, pattern))  # noqa: B023 (called at once)
            assert ours == outcome(lambda: format_decimal(value, pattern, locale=language))  # noqa: B023
    finally:
        texts.set_language(None)


def outcome(write: Callable[[], str]) -> str | type[Exception]:
    """What `write` wrote, or the kind of error it raised (Babel refuses 1e25 to one decimal)."""
    try:
        return write()
    except Exception as error:  # the kind is compared
        return type(error)


@pytest.mark.parametrize(
    "language, count, expected",
    [
        ("en", 1, "Announcement queued for 1 active subscriber."),
        ("en", 2, "Announcement queued for 2 active subscribers."),
        ("en", 0, "Announcement queued for 0 active subscribers."),
        ("uk", 1, "Оголошення отримає 1 активний підписник."),
        ("uk", 2, "Оголошення отримають 2 активні підписники."),
        ("uk", 5, "Оголошення отримають 5 активних підписників."),
        ("uk", 0, "Оголошення отримають 0 активних підписників."),
        ("uk", 11, "Оголошення отримають 11 активних підписників."),
        ("uk", 14, "Оголошення отримають 14 активних підписників."),
        ("uk", 112, "Оголошення отримають 112 активних підписників."),
        ("uk", 21, "Оголошення отримає 21 активний підписник."),
        ("uk", 22, "Оголошення отримають 22 активні підписники."),
        ("uk", 1001, "Оголошення отримає 1\u00a0001 активний підписник."),
    ],
)
def test_counts_take_the_plural_form_of_their_language(language, count, expected, speak):
    speak(language)
    assert render.announced(count) == expected


def test_every_plural_message_has_every_form_of_its_language():
    for language in texts.LANGUAGES:
        forms = 3 if language == "uk" else 2
        plural = {n: m for n, m in texts.catalogue(language).items() if isinstance(m, tuple)}
        assert plural, language
        assert all(len(m) == forms for m in plural.values()), language


def test_a_plural_message_asked_for_without_a_count_says_how():
    with pytest.raises(AttributeError, match=r"texts.ngettext\('QUEUED', n\)"):
        texts.of("en").QUEUED  # noqa: B018


@pytest.mark.parametrize(
    "mapping, vocabulary",
    [
        (render.FINDING_DETAIL, FindingKind),
        (render.FINDING_FOOTNOTE, FindingKind),
        (render.DIGEST_NAME, Digest),
        (render.OUTCOME_NAME, [*Arrival, *ReportStatus]),
        (render.ARRIVAL_COUNT, Arrival),
        (render.SOURCE_NAME, [*SOURCE_URLS, text.SOURCE]),
        (render.LANGUAGE_NAME, texts.LANGUAGES),
        (render.COMMAND_DESCRIPTION, [*menus.COMMANDS, *menus.ADMIN]),
        (settings.FORMAT_BUTTON, SummaryFormat),
    ],
)
def test_every_member_of_a_vocabulary_has_its_message(mapping, vocabulary):
    """Messages named through a mapping (texts.message) escape the test above: each member has
    one, and each named message is in every catalogue."""
    assert set(mapping) == set(vocabulary)
    for language in texts.LANGUAGES:
        for name in mapping.values():
            assert name in texts.catalogue(language), (language, name)


def test_every_format_but_the_full_one_is_described():
    assert set(render.FORMAT_SHAPE) == set(SummaryFormat) - {SummaryFormat.FULL}
    assert all(name in texts.catalogue("en") for name in render.FORMAT_SHAPE.values())


@pytest.mark.parametrize(
    "mapping, keys",
    [
        (render.SHORT_NAME, categories.BY_KEY),
        (render.VIA, render.SOURCE_NAME),
        (render.TAKEN_FROM, render.SOURCE_NAME),
        (render.EXAMPLE, render.COMMAND_DESCRIPTION),
    ],
)
def test_every_message_of_some_members_is_in_every_catalogue(mapping, keys):
    """Mappings that name a message for some members only (a category's short name, how a
    source republishes the bulletin, a command's example): each key is a member, and each
    message is in every catalogue."""
    assert mapping and set(mapping) <= set(keys)
    for language in texts.LANGUAGES:
        for name in mapping.values():
            assert name in texts.catalogue(language), (language, name)


@pytest.mark.parametrize(
    "mapping, prefix, keys",
    [
        (render.SHORT_NAME, "BUTTON_", categories.BY_KEY),
        (render.VIA, "VIA_", render.SOURCE_NAME),
        (render.TAKEN_FROM, "TAKEN_FROM_", render.SOURCE_NAME),
        (render.EXAMPLE, "EXAMPLE_", render.COMMAND_DESCRIPTION),
    ],
)
def test_no_message_of_a_member_is_left_out_of_its_mapping(mapping, prefix, keys):
    """A message written for a member (BUTTON_TANKS, a category's short name) but missing from
    the mapping would never be shown: the catalogue and the mapping agree."""
    written = {key for key in keys if f"{prefix}{key.upper()}" in texts.catalogue("en")}
    assert set(mapping) == written


def test_every_button_under_a_bulletin_has_a_short_name():
    assert set(keyboards.BUTTONS) <= set(render.SHORT_NAME)
