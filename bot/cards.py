"""The daily card: one picture of a day's figures, for subscribers who chose the `card` format.

What it says comes from render.card (the reader's language); this module only lays it out, with
matplotlib's object API on the Agg canvas, as the charts are drawn. A card has a title, the date
and day of the war, a row per category (name, total, change), and the small print: who claims
it, that nobody verified it, where it came from, and what was corrected.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

WIDTH_INCHES, DPI = 7.2, 100
ROW_INCHES, HEAD_INCHES, LINE_INCHES = 0.36, 1.0, 0.2
SMALL_PRINT_WIDTH = 120  # characters of 8-point text across the card
DARK, GREY, RISE = "#1a1a1a", "#555555", "#9c2a00"


@dataclass(frozen=True)
class CardText:
    """Everything a card says, already in the reader's language."""

    title: str
    day_line: str
    rows: tuple[tuple[str, str, str], ...]  # (name, total, change)
    small_print: tuple[str, ...]


def draw(card: CardText) -> bytes:
    """The card as a PNG, as tall as its rows and small print need."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    small_print = [
        part for line in card.small_print for part in textwrap.wrap(line, SMALL_PRINT_WIDTH)
    ]
    height = HEAD_INCHES + ROW_INCHES * len(card.rows) + LINE_INCHES * (len(small_print) + 1)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)

    def y(inches_from_top: float) -> float:
        return 1 - inches_from_top / height

    figure.text(0.04, y(0.38), card.title, fontsize=15, weight="bold", color=DARK)
    figure.text(0.04, y(0.68), card.day_line, fontsize=11, color=GREY)
    top = HEAD_INCHES + ROW_INCHES * 0.6
    for index, (name, total, change) in enumerate(card.rows):
        row = y(top + ROW_INCHES * index)
        figure.text(0.04, row, name, fontsize=12.5, color=DARK)
        figure.text(0.74, row, total, fontsize=12.5, weight="bold", color=DARK, ha="right")
        figure.text(0.96, row, change, fontsize=12, color=RISE, ha="right")
    bottom = top + ROW_INCHES * (len(card.rows) - 0.4)
    for index, line in enumerate(small_print):
        figure.text(0.04, y(bottom + LINE_INCHES * (index + 1)), line, fontsize=8, color=GREY)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
