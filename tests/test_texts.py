"""The message catalogues: every message in every language, with the same fields."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot import texts

CODE = Path(__file__).parents[1] / "bot"


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_message():
    english = set(texts.catalogue("en"))
    for language in texts.LANGUAGES:
        assert set(texts.catalogue(language)) == english, language


@pytest.mark.parametrize("language", [lang for lang in texts.LANGUAGES if lang != "en"])
def test_translations_keep_every_field_and_add_none(language):
    for name, english in texts.catalogue("en").items():
        translated = texts.catalogue(language)[name]
        assert translated.strip(), f"{language} {name} is empty"
        assert fields(translated) == fields(english), f"{language} {name}"


def test_every_message_the_code_names_exists():
    named = set()
    for path in CODE.rglob("*.py"):
        named |= set(re.findall(r"\btexts\.([A-Z][A-Z_]+)\b", path.read_text()))
        named |= set(re.findall(r"\bmessages?\.([A-Z][A-Z_]+)\b", path.read_text()))
    named -= {"COMMANDS", "LANGUAGES", "DEFAULT_LANGUAGE"}
    assert named, "found no message names in the code"
    missing = named - set(texts.catalogue("en"))
    assert not missing


def test_every_menu_command_has_a_description():
    for language in texts.LANGUAGES:
        for command in texts.COMMANDS:
            assert getattr(texts.of(language), f"COMMAND_{command.upper()}")


@pytest.mark.parametrize(
    "code, language", [("uk", "uk"), ("uk-UA", "uk"), ("en-GB", "en"), ("de", "en"), (None, "en")]
)
def test_language_for(code, language):
    assert texts.language_for(code) == language


def test_an_unknown_language_falls_back_to_english():
    assert texts.of("fr").CAVEAT == texts.of("en").CAVEAT
    with pytest.raises(AttributeError, match="no message NOPE"):
        getattr(texts.of("uk"), "NOPE")  # noqa: B009
