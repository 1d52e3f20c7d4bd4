"""Logging: one line per event, key=value, and no secret ever written.

The bot token is part of every Bot API URL, and exceptions from the HTTP stack can quote URLs,
so secrets are removed from the final formatted line, tracebacks included, not just from the
messages we write ourselves. They are removed in any case: python-telegram-bot lower-cases the
text of an error after "Bad Request: ", so a token Telegram echoes back arrives changed. Any URL
in a line loses its user name, password and query values (a source's URL may carry an API key).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable
from functools import lru_cache
from types import TracebackType
from urllib.parse import SplitResult, urlsplit

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (of 8 characters or more) replaced in any case, longest first,
    so a secret that contains another is removed whole; and every URL's credentials and query
    values (`redact_urls`)."""
    kept = tuple(sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True))
    if kept:
        text = _secrets_pattern(kept).sub(REDACTED, text)
    return redact_urls(text)


@lru_cache(maxsize=8)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, secrets)), re.IGNORECASE)


# A URL as quoted in an error or a log line: up to a space, a quote or a parenthesis.
_URL = re.compile(r"""\bhttps?://[^\s'"<>()]+""", re.IGNORECASE)


def redact_urls(text: str) -> str:
    """`text` with each URL in it shown by `redact_url`."""
    return _URL.sub(lambda match: redact_url(match[0]), text)


def redact_url(url: str) -> str:
    """A URL without what may be a secret: its user name and password, and its query values
    (the names stay, to say which parameter it was): `http://[redacted]@host/x?key=[redacted]`."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL after all (an unclosed IPv6 bracket...)
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rpartition('@')[2]}"
    query = "&".join(
        f"{pair.partition('=')[0]}={REDACTED}" if "=" in pair else pair
        for pair in parts.query.split("&")
    )
    return SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment).geturl()


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record), self.secrets)
        return line.replace("\n", "\n  ")  # a traceback stays visibly one event


def configure(*, verbose: bool, secrets: Iterable[str] = ()) -> None:
    secrets = tuple(secrets)

    def excepthook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        """Even an error nothing caught is printed without the secrets."""
        text = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(redact(text, secrets))

    sys.excepthook = excepthook
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    # httpx logs every request URL at INFO; for Telegram that URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The job queue would log every run of every job.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
