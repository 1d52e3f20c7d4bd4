"""The bot explaining itself: the welcome, /about, /help, and the answer to words that
name no category (with the command to try instead)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot import categories, texts
from bot.categories import Unknown
from bot.render.markup import fill
from bot.render.phrases import caveat

# The command each refusal of unknown words ends on, with a category to try (texts.message).
EXAMPLE: Mapping[str, str] = {
    "latest": "EXAMPLE_LATEST",
    "on": "EXAMPLE_ON",
    "history": "EXAMPLE_HISTORY",
    "chart": "EXAMPLE_CHART",
    "week": "EXAMPLE_WEEK",
    "month": "EXAMPLE_MONTH",
    "records": "EXAMPLE_RECORDS",
    "compare": "EXAMPLE_COMPARE",
    "share": "EXAMPLE_SHARE",
    "milestones": "EXAMPLE_MILESTONES",
    "correct": "EXAMPLE_CORRECT",
}
# Each command's description, in its menu and in /help (the reader's and the admins').
COMMAND_DESCRIPTION: Mapping[str, str] = {
    name: f"COMMAND_{name.upper()}"
    for name in (
        *("latest", "on", "history", "chart", "week", "month", "records", "compare", "share"),
        *("export", "sources", "about", "subscribe", "unsubscribe", "milestones", "settings"),
        *("pause", "resume", "language", "help"),
        *("held", "approve", "reject", "correct", "uncorrect", "corrections", "notes"),
        *("fetch", "announce", "stats"),
    )
}

# However much was typed, an answer about unknown words stays short.
MOST_UNKNOWN_SHOWN = 3


def unknown_categories(unknown: Sequence[Unknown], example: str, prefix: str = "/") -> str:
    """'Unknown category “tankz”. Did you mean: tanks?' for each word, then the command to try
    (the message EXAMPLE[example], after `prefix`: '/' in a chat, 'bulletin-bot ' in a shell)
    with the first suggestion, in the reader's words."""
    language = texts.current_language()
    lines = []
    for item in unknown[:MOST_UNKNOWN_SHOWN]:
        line = fill(texts.UNKNOWN_CATEGORY, word=texts.shown(item.word))
        if item.suggestions:
            words = ", ".join(categories.get(k).word(language) for k in item.suggestions)
            line += fill(texts.DID_YOU_MEAN, suggestions=words)
        lines.append(line)
    offered = [key for item in unknown for key in item.suggestions] or ["tanks"]
    command = texts.message(EXAMPLE[example])
    lines.append(
        fill(
            texts.CATEGORY_EXAMPLE,
            example=prefix + command.format(category=categories.get(offered[0]).word(language)),
        )
    )
    return "\n".join(lines)


def start() -> str:
    return texts.START.format(caveat=caveat())


def about() -> str:
    return texts.ABOUT.format(caveat_long=texts.CAVEAT_LONG)


def help_text() -> str:
    language = texts.current_language()
    names = ", ".join(c.word(language) for c in categories.CATEGORIES if c.last_reported is None)
    return fill(texts.HELP, categories=names)
