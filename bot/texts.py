"""Every sentence bulletin-bot shows people, from message catalogues in gettext's format.

The catalogues are bot/locales/<language>.po, read with Babel; each msgid is the name the code
uses (CAVEAT, DAY_LINE, ...), each msgstr the sentence, with str.format fields. Both languages
have every message (tests/test_texts.py checks names and fields).

    texts.of("uk").CAVEAT   the Ukrainian caveat
    texts.CAVEAT            English: the command line and logs
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

LANGUAGES = ("en", "uk")
DEFAULT_LANGUAGE = "en"
# Telegram's command menu, in this order; each description is the message COMMAND_<NAME>.
COMMANDS = (
    "latest",
    "on",
    "history",
    "chart",
    "week",
    "month",
    "records",
    "export",
    "sources",
    "subscribe",
    "unsubscribe",
    "settings",
    "language",
    "help",
)


@cache
def catalogue(language: str) -> dict[str, str]:
    """{message name: sentence} of one language."""
    with resources.files("bot").joinpath("locales", f"{language}.po").open("rb") as file:
        return {message.id: message.string for message in read_po(file) if message.id}


class Texts:
    """The messages of one language, as attributes."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._messages = catalogue(language)

    def __getattr__(self, name: str) -> str:
        try:
            return self._messages[name]
        except KeyError:
            raise AttributeError(f"no message {name} in the {self.language} catalogue") from None


@cache
def of(language: str | None) -> Texts:
    """The messages of `language`, or English for a language bulletin-bot does not speak."""
    return Texts(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def language_for(code: str | None) -> str:
    """The bot's language for a Telegram language_code ('uk', 'uk-UA', 'en-GB', None...)."""
    code = (code or "").casefold()
    return "uk" if code.startswith("uk") else DEFAULT_LANGUAGE


def __getattr__(name: str) -> str:
    """texts.<NAME>: the English message (for the command line, logs and tests)."""
    return getattr(of(DEFAULT_LANGUAGE), name)
