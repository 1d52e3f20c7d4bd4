"""python-telegram-bot's request layer over aiohttp, for sending thousands of messages a second.

python-telegram-bot speaks HTTP through httpx by default, and a broadcast over it costs about
2 ms of CPU a message, five to seven times as much as over aiohttp (bench/README.md). Most of
it is httpcore's connection pool, which rescans every connection on each request and each
response closed, checking each idle one's socket with a system call. aiohttp's connector hands
out a kept-alive connection without that scan and parses answers in C: within 1.3x of the
HTTP/1.1 client this project kept for itself until issue 31, with the protocol (keep-alive,
chunked answers, `Connection: close`, TLS) in a well-kept library's hands.

Every call but getUpdates goes through here, uploads (charts, exports) included. aiohttp never
repeats a POST on its own, and python-telegram-bot sends every call as a POST, so a message is
sent at most once per call (the Deliverer decides what is tried again).
"""

from __future__ import annotations

import ssl
from functools import cache, lru_cache
from urllib.parse import quote_plus

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# A connection unused this long is closed rather than reused: a server or a middlebox may
# have dropped it without a word, and a send on it would fail (and might be repeated).
IDLE_LIMIT = 30.0
# Seconds, when python-telegram-bot leaves a timeout to the request layer: its own defaults.
POOL, CONNECT, WRITE, READ = 1.0, 5.0, 5.0, 5.0
FORM = "application/x-www-form-urlencoded"
# Parameter values this long or longer have their encoding kept, the last ENCODED_KEPT of them:
# a bulletin's text and keyboard, the same for thousands of subscribers (at most 24 KB each).
LONG_VALUE = 64
ENCODED_KEPT = 64


class AiohttpRequest(BaseRequest):
    """At most `connections` calls at once, each on a kept-alive connection when one is idle.

    `tls` replaces the system's certificate authorities (a test's self-signed server); by
    default a server's certificate is checked against them, as by any HTTPS client.
    """

    def __init__(self, connections: int = 64, *, tls: ssl.SSLContext | None = None) -> None:
        self._connections = connections
        self._tls = tls
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return READ

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                keepalive_timeout=IDLE_LIMIT,
                ssl=self._tls if self._tls is not None else True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none worth keeping
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # Seconds, None (no limit), or python-telegram-bot's "not given" (a DefaultValue).
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            # As python-telegram-bot's HTTPXRequest, usable before `initialize` (a session
            # must be made inside the event loop that will use it, so not in __init__).
            await self.initialize()
        assert self._session is not None
        upload = request_data is not None and request_data.contains_files
        timeout = _timeout(
            _seconds(pool_timeout, POOL),
            _seconds(connect_timeout, CONNECT),
            _seconds(write_timeout, WRITE),
            _seconds(read_timeout, READ),
            upload=upload,
        )
        body: aiohttp.FormData | aiohttp.BytesPayload
        if request_data is not None and upload:
            body = aiohttp.FormData(request_data.json_parameters, default_to_multipart=True)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            form = _form(request_data.json_parameters) if request_data else ""
            body = aiohttp.BytesPayload(form.encode(), content_type=FORM)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(f"no answer in time: {error!r}") from error
        except aiohttp.ClientConnectorError as error:  # said for an operator, in one line
            reason = error.os_error.strerror or error.os_error
            raise NetworkError(f"cannot connect to {error.host}:{error.port}: {reason}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _form(parameters: dict[str, str]) -> str:
    """The parameters as python-telegram-bot encodes them (`urlencode`, byte for byte), with
    each long value's encoding kept: percent-encoding a bulletin of 2 KB of Cyrillic takes
    0.35 ms, which a broadcast would spend again for every subscriber."""
    return "&".join(
        f"{_encoded(name)}={_encoded(value) if len(value) >= LONG_VALUE else quote_plus(value)}"
        for name, value in parameters.items()
    )


_encoded = lru_cache(maxsize=ENCODED_KEPT)(quote_plus)


def _seconds(value: object, default: float) -> float | None:
    """A timeout python-telegram-bot passed: its value, or ours when it left it to us."""
    if value is None or isinstance(value, int | float):
        return value
    return default


@cache
def _timeout(
    pool: float | None,
    connect: float | None,
    write: float | None,
    read: float | None,
    *,
    upload: bool,
) -> aiohttp.ClientTimeout:
    """python-telegram-bot's four timeouts in aiohttp's terms, made once per combination.

    aiohttp has no pool or write timeout of its own: waiting for a free connection counts
    towards `connect` together with connecting, and an upload's writing towards `total`, which
    bounds an upload by the sum of the four. Any other call is a form of a few kilobytes,
    written at once: no total (one timer less a call). The read timeout starts once the
    request is written, as python-telegram-bot means it."""
    parts = (pool, connect, write, read)
    return aiohttp.ClientTimeout(
        total=sum(p for p in parts if p is not None) if upload and None not in parts else None,
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )
