"""What the charts and the daily card share: a size that reads on a phone, and a palette that
reads in Telegram's light and dark themes alike. No Telegram here.

A phone shows a picture across its width: about 360 pixels (CSS pixels, as a phone's
browser counts them) on a common Android phone, 390 on an iPhone. A picture WIDTH_INCHES wide
is shrunk by PHONE_WIDTH_PX / its width in pixels, so text must be drawn at least
SMALLEST_POINTS for its smallest letters to be SMALLEST_PHONE_PX there (11: the smallest size
phone makers' guidelines allow for text meant to be read). Everything is measured in points at
DPI, so the saved picture is 1,000 pixels wide.

The background is a dark slate: a pure white picture glares in a dark theme, and a dark one
sits well in a light theme too. Text and lines are light, with at least WCAG's 4.5:1 contrast
against it (tests/test_pictures.py measures).
"""

from __future__ import annotations

from functools import cache

WIDTH_INCHES, DPI = 5.0, 200
PHONE_WIDTH_PX = 360
SMALLEST_PHONE_PX = 11
POINTS_PER_INCH = 72
# The smallest font size, in points, that is SMALLEST_PHONE_PX on a phone.
SMALLEST_POINTS = SMALLEST_PHONE_PX * WIDTH_INCHES * POINTS_PER_INCH / PHONE_WIDTH_PX
# Sizes in points: the small print, tick labels and legends are the smallest.
SMALL, BODY, HEADING, TITLE = SMALLEST_POINTS, 12.0, 12.5, 14.0
LINE_SPACING = 1.3  # a line's height, in font sizes
MARGIN = 0.14  # inches around everything

BACKGROUND = "#18212c"
TEXT = "#eef2f6"
MUTED = "#b7c3cf"  # dates, small print, axis labels
GRID = "#3a4757"
CLAIMED = "#7cc4ff"  # the claimed total
BARS = "#4a8fd0"  # daily changes
AVERAGE = "#ffb25e"  # the 7-day average
DOCUMENTED = "#8fdc8f"  # Oryx's documented count
CORRECTED = "#ff7b7b"  # a corrected figure
RISE = "#ffab80"  # a change on the card


def phone_pixels(points: float) -> float:
    """How tall a font of `points` is on a phone showing the picture across its width."""
    return points * DPI / POINTS_PER_INCH * PHONE_WIDTH_PX / (WIDTH_INCHES * DPI)


def line_height(points: float) -> float:
    """A line of text of `points`, in inches."""
    return points * LINE_SPACING / POINTS_PER_INCH


@cache
def text_width(text: str, points: float, bold: bool = False) -> float:
    """How wide `text` is drawn, in inches (matplotlib's own measure of its default font)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(size=points, weight="bold" if bold else "normal")
    width, _, _ = TextToPath().get_text_width_height_descent(text, font, ismath=False)
    return float(width) / POINTS_PER_INCH


def wrapped(text: str, points: float, width: float, bold: bool = False) -> list[str]:
    """`text` cut into lines no wider than `width` inches, between words (a single word
    wider than that stands alone on its line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, points, bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines
