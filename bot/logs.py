"""Logging: one line per event, key=value, and no secret ever written.

The bot token is part of every Bot API URL, and exceptions from the HTTP stack can quote URLs,
so secrets are removed from the final formatted line, tracebacks included, not just from the
messages we write ourselves.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        # Longest first, so a secret that contains another is removed whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line.replace("\n", "\n  ")  # a traceback stays visibly one event


def configure(*, verbose: bool, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    # httpx logs every request URL at INFO; for Telegram that URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The job queue would log every run of every job.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
