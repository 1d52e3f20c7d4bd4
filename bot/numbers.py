"""Whole numbers as people type them: the one reader of every figure, id or count an admin or a
reader types (a correction's value, a threshold, an id, a count of lines).

ASCII digits only: `str.isdigit` also accepts "²" and "٣", which `int()` then refuses or reads
as another number. Thousands may be grouped the ways the bot and the bulletin write them ("12
256" with a space or a no-break space, "12,256", "12.256", "12'256"), one kind of separator per
number, and then only when every group after the first has exactly three digits: "12 256" is
12,256, while "12 56" or "1,2345" could be two numbers or a decimal, and is refused rather than
guessed.
"""

from __future__ import annotations

import re

from bot import texts
from bot.errors import UserError

# Between groups of a number: space, no-break space, narrow no-break space, thin space, and the
# marks the bulletin and newsrooms use.
SEPARATORS = " \u00a0\u202f\u2009,.'’"
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(
    r"[0-9]{1,3}(?:(?P<sep>[" + re.escape(SEPARATORS) + r"])[0-9]{3})"
    r"(?:(?P=sep)[0-9]{3})*"
)
# A word that is one group of a grouped number, typed as its own word ("12 256").
GROUP = re.compile(r"[0-9]{3}")


class NumberError(UserError):
    """Typed text that is not a whole number we can read with certainty."""


def whole(text: str, most: int) -> int:
    """The whole number from 0 to `most` that `text` writes; NumberError saying what to type
    otherwise."""
    written = text.strip()
    if _PLAIN.fullmatch(written) or _GROUPED.fullmatch(written):
        value = int(re.sub(r"[^0-9]", "", written))
        if value <= most:
            return value
    raise NumberError(texts.BAD_VALUE.format(word=texts.shown(text), most=texts.number(most)))


def looks_numeric(word: str) -> bool:
    """Whether a word is meant as a number, well written or not ("12", "-5", "²", "1,5"): the
    word where a command's value starts."""
    return bool(re.match(r"[-−+]?\d", word))
