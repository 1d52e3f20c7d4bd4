"""Logging: one line per event, key=value, and no secret ever written.

The bot token is part of every Bot API URL, and exceptions from the HTTP stack can quote URLs,
so secrets are removed from the final formatted line, tracebacks included, not just from the
messages we write ourselves.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (of 8 characters or more) replaced, longest first, so a secret
    that contains another is removed whole."""
    for secret in sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


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
