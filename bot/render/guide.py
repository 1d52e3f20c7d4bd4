"""The bot explaining itself: the welcome, /about, /help, and the answer to words that
name no category (with the command to try instead)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import categories, texts
from bot.categories import Unknown
from bot.render.markup import fill
from bot.render.phrases import caveat

# However much was typed, an answer about unknown words stays short.
MOST_UNKNOWN_SHOWN = 3


def unknown_categories(unknown: Sequence[Unknown], example: str, prefix: str = "/") -> str:
    """'Unknown category “tankz”. Did you mean: tanks?' for each word, then the command to try
    (the message EXAMPLE_<example>, after `prefix`: '/' in a chat, 'bulletin-bot ' in a shell)
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
    command = getattr(texts, f"EXAMPLE_{example.upper()}")
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
