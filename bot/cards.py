"""The daily card: one picture of a day's figures, for subscribers who chose the `card` format.

What it says comes from render.card (the reader's language); this module only lays it out, with
matplotlib's object API on the Agg canvas, as the charts are drawn, at a phone's scale and in
the palette of bot/pictures.py. A card has a title, the date and day of the war, a row per
category (name, total, change), and the small print: who claims it, that nobody verified it, and
what was corrected (the link to the post is in the caption, where it can be tapped).

Every row is measured before it is placed, so any text fits: a total sits in a column right of
the names, its change in a column beside it; a change too long for that column ("+142,200 over
119 days") goes under its total instead, and a name too long for its room wraps onto more lines.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.pictures import (
    BACKGROUND,
    BODY,
    DPI,
    MARGIN,
    MUTED,
    RISE,
    SMALL,
    TEXT,
    TITLE,
    WIDTH_INCHES,
    line_height,
    text_width,
    wrapped,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Space between a name and its total, and between a total and its change, in inches.
GAP = 0.14
# The change column is at most this share of the card's inner width; a longer change goes
# under its total.
CHANGE_COLUMN = 0.32
ROW_GAP = 0.07  # between rows, in inches
SECTION_GAP = 0.16  # between the heading, the rows and the small print


@dataclass(frozen=True)
class CardText:
    """Everything a card says, already in the reader's language."""

    title: str
    day_line: str
    rows: tuple[tuple[str, str, str], ...]  # (name, total, change)
    small_print: tuple[str, ...]


def figure(card: CardText) -> Figure:
    """The card as a matplotlib figure, as tall as what it says needs."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    inner = WIDTH_INCHES - 2 * MARGIN
    right = WIDTH_INCHES - MARGIN
    # (x in inches, y in inches from the top, text, size, colour, bold, alignment)
    placed: list[tuple[float, float, str, float, str, bool, str]] = []
    y = MARGIN
    for line in wrapped(card.title, TITLE, inner, bold=True):
        placed.append((MARGIN, y, line, TITLE, TEXT, True, "left"))
        y += line_height(TITLE)
    for line in wrapped(card.day_line, SMALL, inner):
        placed.append((MARGIN, y, line, SMALL, MUTED, False, "left"))
        y += line_height(SMALL)
    y += SECTION_GAP

    changes = [text_width(change, SMALL) for _, _, change in card.rows]
    column = max((w for w in changes if w <= CHANGE_COLUMN * inner), default=0.0)
    totals_right = right - column - GAP
    for (name, total, change), change_width in zip(card.rows, changes, strict=True):
        below = change_width > column  # too long for the column: under its total
        room = totals_right - text_width(total, BODY, bold=True) - GAP - MARGIN
        names = wrapped(name, BODY, room)
        for index, line in enumerate(names):
            placed.append((MARGIN, y + index * line_height(BODY), line, BODY, TEXT, False, "left"))
        placed.append((totals_right, y, total, BODY, TEXT, True, "right"))
        if below:
            placed.append((right, y + line_height(BODY), change, SMALL, RISE, False, "right"))
        else:
            placed.append((right - column, y, change, SMALL, RISE, False, "left"))
        y += max(len(names), 2 if below else 1) * line_height(BODY) + ROW_GAP
    y += SECTION_GAP - ROW_GAP

    for paragraph in card.small_print:
        for line in wrapped(paragraph, SMALL, inner):
            placed.append((MARGIN, y, line, SMALL, MUTED, False, "left"))
            y += line_height(SMALL)
    height = y + MARGIN

    drawn = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(drawn)
    for x, top, text, size, colour, bold, align in placed:
        drawn.text(
            x / WIDTH_INCHES,
            1 - top / height,
            text,
            fontsize=size,
            color=colour,
            weight="bold" if bold else "normal",
            ha=align,
            va="top",
        )
    return drawn


def draw(card: CardText) -> bytes:
    """The card as a PNG."""
    buffer = io.BytesIO()
    figure(card).savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND)
    return buffer.getvalue()
