"""Telegram HTML: escaping what came from outside, filling a trusted template, plain text.

Every room of bot/render returns Telegram-flavoured HTML (only <b>, <a>, <pre> and escaped
text): the bot sends it as it is, the command line prints it through `to_plain`.
"""

from __future__ import annotations

import html
import re


def escaped(text: str) -> str:
    """Plain text (an error message, a value filling a template) made safe for Telegram HTML:
    only <, > and & mean anything there outside a tag."""
    return html.escape(text, quote=False)


def fill(template: str, **values: object) -> str:
    """A trusted template (which may hold markup) filled with escaped values."""
    return template.format(**{name: escaped(str(value)) for name, value in values.items()})


def to_plain(text: str) -> str:
    """Telegram HTML as terminal text: tags dropped, entities decoded, and control characters
    (a terminal's escape codes, from what people typed) shown as escapes, never obeyed; so are
    the bidi controls that reorder what follows them on screen (after U+202E the rest of the
    line prints backwards), and the line and paragraph separators that fake a line of their own."""
    plain = html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode(), plain)


# C0 and C1 controls but tab and newline; Unicode's Bidi_Control characters (U+061C, U+200E,
# U+200F, U+202A-U+202E, U+2066-U+2069); U+2028 and U+2029.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
