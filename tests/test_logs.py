"""No secret reaches the logs, whatever quotes it: our messages, exceptions, tracebacks."""

from __future__ import annotations

import logging

from bot.logs import REDACTED, RedactingFormatter

TOKEN = "123456:AAH-very-secret-token-value"


def record(message: str, error: Exception | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, None) if error else None
    return logging.LogRecord("bot", logging.ERROR, __file__, 1, message, (), exc_info)


def test_secrets_are_removed_from_messages_and_exceptions():
    formatter = RedactingFormatter([TOKEN, "s3cret-webhook"])
    error = ConnectionError(f"failed: https://api.telegram.org/bot{TOKEN}/getMe")
    line = formatter.format(record(f"calling bot{TOKEN} with s3cret-webhook", error))
    assert TOKEN not in line and "s3cret-webhook" not in line
    assert line.count(REDACTED) == 3
    assert "level=ERROR logger=bot calling bot[redacted]" in line


def test_short_or_empty_secrets_redact_nothing():
    formatter = RedactingFormatter(["", "abc"])
    assert "abc" in formatter.format(record("abc"))


def test_an_error_nothing_caught_is_printed_without_the_secrets(capsys):
    import sys

    from bot import logs

    secret = "123456:AAH-very-secret-token-value"
    previous = sys.excepthook
    try:
        logs.configure(verbose=False, secrets=[secret])
        try:
            raise RuntimeError(f"https://api.telegram.org/bot{secret}/getMe failed")
        except RuntimeError as error:
            sys.excepthook(type(error), error, error.__traceback__)
    finally:
        sys.excepthook = previous
    printed = capsys.readouterr().err
    assert "RuntimeError: https://api.telegram.org/bot[redacted]/getMe failed" in printed
    assert secret not in printed
