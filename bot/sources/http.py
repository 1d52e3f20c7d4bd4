"""Fetching JSON over HTTP politely: timeouts, a User-Agent, and a few retries with backoff.

A source that is down, slow, serves HTML or truncated JSON never raises anything but
`SourceError`, whose message says what went wrong in words an operator can act on. Each request
has a total deadline (DEADLINE): httpx's timeouts are per operation, and a server trickling a
byte every few seconds would otherwise hold a poll for as long as it likes. Retries are
bounded (a few attempts with exponential backoff and jitter, `Retry-After` honoured up to a cap),
so a struggling source is not hammered: the poll schedule is the outer loop, not this one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import httpx

from bot import __version__
from bot.errors import BulletinBotError

log = logging.getLogger(__name__)

USER_AGENT = f"bulletin-bot/{__version__} (Telegram bot for the General Staff bulletin; httpx)"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)  # each connect, read, write
DEADLINE = 30.0  # seconds for a whole request, answer read; the dataset's 1 MB takes ~1 s
ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
MAX_RETRY_AFTER_SECONDS = 60.0
MAX_BYTES = 20 * 1024 * 1024  # the whole history as JSON is under 1 MB

Sleep = Callable[[float], Awaitable[None]]


class SourceError(BulletinBotError):
    """A fetch that failed; the message names the URL and what went wrong."""


class Downloads(Protocol):
    """Where the last download of a file with an ETag is kept between processes (the store)."""

    def download(self, url: str) -> tuple[str, str] | None:
        """(ETag, text) of the last download kept of `url`."""
        ...

    def keep_download(self, url: str, etag: str, text: str) -> None: ...


class HttpSource:
    """What every source read over HTTP keeps: where it is, the client, what today is (no
    report may be dated after tomorrow), how to wait between retries, and where downloads
    are kept (if anywhere)."""

    name: str

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        today: date,
        sleep: Sleep = asyncio.sleep,
        downloads: Downloads | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.client = client
        self.today = today
        self.sleep = sleep
        self.downloads = downloads


def make_client(timeout: httpx.Timeout = TIMEOUT) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True
    )


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def get_json(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, Any] | None = None,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Sleep = asyncio.sleep,
) -> tuple[Any, str]:
    """GET a JSON document: (decoded payload, body text as received).

    Network errors, timeouts, 429 and 5xx are retried; anything else fails at once.
    """
    text = await get_text(client, url, params, attempts=attempts, backoff=backoff, sleep=sleep)
    return decode_json(url, text), text


def decode_json(url: str, text: str) -> Any:
    """The JSON in a document; SourceError saying what came instead (HTML, broken JSON)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        looks_like = "HTML" if text.lstrip()[:1] == "<" else "invalid JSON"
        raise SourceError(
            f"{url}: returned {looks_like}, not the expected JSON ({error.msg} at character "
            f"{error.pos} of {len(text)})"
        ) from None


async def get_text(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, Any] | None = None,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Sleep = asyncio.sleep,
) -> str:
    """GET a document as text (UTF-8), retrying network errors, timeouts, 429 and 5xx."""
    document = await get_document(
        client, url, params, attempts=attempts, backoff=backoff, sleep=sleep
    )
    return document.text


@dataclass(frozen=True)
class Document:
    """A document's text as fetched, and its ETag, to ask next time whether it changed."""

    text: str
    etag: str | None = None


async def get_document(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, Any] | None = None,
    known: Document | None = None,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    sleep: Sleep = asyncio.sleep,
) -> Document:
    """GET a document, retrying network errors, timeouts, 429 and 5xx. With a `known` version
    that has an ETag, only if it changed: on 304 Not Modified, `known` itself comes back."""
    for attempt in range(1, attempts + 1):
        try:
            async with asyncio.timeout(DEADLINE):
                return await _get_once(client, url, params, known)
        except TimeoutError:
            error = _Retryable(f"no complete answer within {DEADLINE:g} s")
        except _Retryable as retryable:
            error = retryable
        if attempt == attempts:
            raise SourceError(f"{url}: {error} (gave up after {attempts} attempts)") from None
        delay = backoff * 2 ** (attempt - 1) * (1 + random.random() / 2)
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, MAX_RETRY_AFTER_SECONDS))
        log.warning(
            "fetch failed url=%s attempt=%d error=%r retry_in=%.1fs",
            url,
            attempt,
            str(error),
            delay,
        )
        await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def _get_once(
    client: httpx.AsyncClient, url: str, params: dict[str, Any] | None, known: Document | None
) -> Document:
    headers = {"If-None-Match": known.etag} if known and known.etag else None
    try:
        async with client.stream("GET", url, params=params, headers=headers) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}", _retry_after(response.headers))
            if response.status_code == 304 and known is not None and headers:
                return known
            if response.status_code != 200:
                raise SourceError(f"{url}: HTTP {response.status_code}")
            body = await _read_limited(response)
            etag = response.headers.get("ETag")
    except httpx.TimeoutException:
        raise _Retryable("timed out") from None
    except httpx.TransportError as error:
        raise _Retryable(f"network error: {error or type(error).__name__}") from None
    return Document(body.decode("utf-8", errors="replace"), etag)


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise SourceError(f"{response.url}: response larger than {MAX_BYTES:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(headers: httpx.Headers) -> float | None:
    try:
        return float(headers["Retry-After"])
    except (KeyError, ValueError):
        return None
