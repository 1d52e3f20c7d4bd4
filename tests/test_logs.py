"""No secret reaches the logs, whatever quotes it: our messages, exceptions, tracebacks."""

from __future__ import annotations

import logging

from telegram.error import BadRequest

from bot.logs import REDACTED, RedactingFormatter, redact_url

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


def test_a_token_telegram_echoed_back_lower_cased_is_removed_too():
    """python-telegram-bot capitalises an error's text after "Bad Request: ", which lower-cases
    the rest: the token in it is no longer the token as configured."""
    error = BadRequest(f"Bad Request: chat not found for bot{TOKEN}")
    assert TOKEN.lower() in str(error)  # what python-telegram-bot did to it
    line = RedactingFormatter([TOKEN]).format(record("send failed", error))
    assert TOKEN.lower() not in line.lower()
    assert "Chat not found for bot[redacted]" in line


def test_urls_lose_their_credentials_and_query_values_in_every_line():
    url = "http://reader:hunter22@stats.example.org/api/v2?key=k3y-value&day=1"
    error = ConnectionError(f"{url}: network error")
    line = RedactingFormatter([]).format(record(f"fetch failed url={url}", error))
    assert "hunter22" not in line and "reader" not in line and "k3y-value" not in line
    shown = "http://[redacted]@stats.example.org/api/v2?key=[redacted]&day=[redacted]"
    assert line.count(shown) == 2
    # A URL without secrets is left as it was.
    assert redact_url("https://russianwarship.rip/api/v2") == "https://russianwarship.rip/api/v2"


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
