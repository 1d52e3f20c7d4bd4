"""Every sentence bulletin-bot shows people, from message catalogues in gettext's format.

The catalogues are bot/locales/<language>.po, read with Babel; each msgid is the name the code
uses (CAVEAT, DAY_LINE, ...), each msgstr the sentence, with str.format fields. Both languages
have every message (tests/test_texts.py checks names and fields).

    texts.of("uk").CAVEAT   the Ukrainian caveat
    texts.CAVEAT            in the language being spoken: the reader's, set for each update
                            and each delivery with `speaking(language)`; English otherwise

The language being spoken is a context variable, as in Django's translation.activate: asyncio
gives each update and each delivery its own copy, and worker threads inherit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    "about",
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


_speaking: ContextVar[str] = ContextVar("speaking", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    return _speaking.get()


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Speak `language` (or English, if it is not one of ours) until the block ends."""
    token = _speaking.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield _speaking.get()
    finally:
        _speaking.reset(token)


def set_language(language: str | None) -> None:
    """Speak `language` for the rest of this task (one update, in the bot)."""
    _speaking.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def __getattr__(name: str) -> str:
    """texts.<NAME>: the message in the language being spoken."""
    return getattr(of(_speaking.get()), name)
