"""python-telegram-bot's request layer, tuned for sending thousands of messages a second.

python-telegram-bot speaks HTTP through httpx by default. For a broadcast that costs ~3 ms of
CPU a message, most of it in httpcore's connection pool: each request, and each response
closed, rescans every connection of the pool, and the scan checks each idle connection's
socket with a system call. With fifty sends in flight that is thousands of system calls a
message, and it grows with the number of connections.

`BulkRequest` keeps a fixed number of HTTP/1.1 keep-alive connections per origin and hands an
idle one to each call in O(1) (a stack: the most recently used connection first). A call holds
its connection until the answer has been read, so a connection never carries two calls at once.
Uploads (multipart: charts, exports) go through the stock `HTTPXRequest` given as `uploads`.
HTTPS works as usual (asyncio's TLS). HTTP/2 and proxies are left to httpx: Telegram answers
HTTP/1.1 keep-alive as fast, and this bot is not configured with a proxy.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import defaultdict
from urllib.parse import urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# A connection unused this long is closed rather than reused: a server or a middlebox may
# have dropped it without a word, and a send on it would fail (and might be repeated).
IDLE_LIMIT = 30.0
_DEFAULTS = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 1.0}

Origin = tuple[str, str, int]  # scheme, host, port
# A timeout as python-telegram-bot passes it: seconds, None (no limit), or "not given"
# (a DefaultValue; its class is only in a private module, which HTTPXRequest imports too).
Timeout = float | None | DefaultValue[float] | DefaultValue[None]
DEFAULT = BaseRequest.DEFAULT_NONE


class BulkRequest(BaseRequest):
    """At most `connections` calls at once per origin, each on a reused connection."""

    def __init__(self, connections: int = 64, *, uploads: BaseRequest | None = None) -> None:
        self._size = connections
        self._uploads = uploads or HTTPXRequest()
        self._idle: defaultdict[Origin, list[_Connection]] = defaultdict(list)
        self._slots: dict[Origin, asyncio.Semaphore] = {}
        self._tls: ssl.SSLContext | None = None

    @property
    def read_timeout(self) -> float:
        return _DEFAULTS["read"]

    async def initialize(self) -> None:
        await self._uploads.initialize()

    async def shutdown(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        await self._uploads.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = DEFAULT,
        write_timeout: Timeout = DEFAULT,
        connect_timeout: Timeout = DEFAULT,
        pool_timeout: Timeout = DEFAULT,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
            return await self._uploads.do_request(url, method, request_data, *timeouts)
        parts = urlsplit(url)
        scheme = parts.scheme or "https"
        host = parts.hostname or ""
        origin = (scheme, host, parts.port or (443 if scheme == "https" else 80))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"User-Agent: {self.USER_AGENT}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        slots = self._slots.setdefault(origin, asyncio.Semaphore(self._size))
        try:
            async with asyncio.timeout(_seconds(pool_timeout, "pool")):
                await slots.acquire()
        except TimeoutError as error:
            raise TimedOut(
                f"Pool timeout: all {self._size} connections are busy; the request was not sent"
            ) from error
        try:
            connection = self._reusable(origin) or await self._connect(
                origin, _seconds(connect_timeout, "connect")
            )
            try:
                status, payload = await connection.exchange(
                    head + body, _seconds(write_timeout, "write"), _seconds(read_timeout, "read")
                )
            except BaseException:
                connection.close()
                raise
            if connection.keep_alive:
                self._idle[origin].append(connection)
            else:
                connection.close()
            return status, payload
        finally:
            slots.release()

    def _reusable(self, origin: Origin) -> _Connection | None:
        idle = self._idle[origin]
        while idle:
            connection = idle.pop()
            if connection.fresh():
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        if scheme == "https" and self._tls is None:
            self._tls = ssl.create_default_context()
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=self._tls if scheme == "https" else None
                )
        except TimeoutError as error:
            raise TimedOut(f"connecting to {host}:{port} timed out") from error
        except OSError as error:
            raise NetworkError(f"cannot connect to {host}:{port}: {error!r}") from error
        return _Connection(reader, writer)


class _Connection:
    """One keep-alive connection: a request written whole, its answer read whole."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.keep_alive = True
        self.last_used = time.monotonic()

    def fresh(self) -> bool:
        """Still open as far as we can tell without a system call, and not idle too long."""
        return (
            not self.reader.at_eof()
            and not self.writer.is_closing()
            and time.monotonic() - self.last_used < IDLE_LIMIT
        )

    def close(self) -> None:
        self.keep_alive = False
        self.writer.close()

    async def exchange(
        self, request: bytes, write_timeout: float | None, read_timeout: float | None
    ) -> tuple[int, bytes]:
        try:
            self.writer.write(request)
            async with asyncio.timeout(write_timeout):
                await self.writer.drain()
            async with asyncio.timeout(read_timeout):
                status, payload = await self._read_response()
        except TimeoutError as error:
            raise TimedOut("no answer in time") from error
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            raise NetworkError(f"connection failed: {error!r}") from error
        self.last_used = time.monotonic()
        return status, payload

    async def _read_response(self) -> tuple[int, bytes]:
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *lines = head[:-4].split("\r\n")
        try:
            status = int(status_line.split(" ", 2)[1])
        except (IndexError, ValueError) as error:
            raise NetworkError(f"not an HTTP answer: {status_line[:80]!r}") from error
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines)
        }
        if headers.get("connection", "").lower() == "close" or status_line.startswith("HTTP/1.0"):
            self.keep_alive = False
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return status, await self._read_chunked()
        if "content-length" in headers:
            return status, await self.reader.readexactly(int(headers["content-length"]))
        self.keep_alive = False  # the body runs to the end of the connection
        return status, await self.reader.read()

    async def _read_chunked(self) -> bytes:
        chunks = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        while await self.reader.readuntil(b"\r\n") != b"\r\n":  # trailers, if any
            pass
        return b"".join(chunks)


def _seconds(value: Timeout, kind: str) -> float | None:
    return _DEFAULTS[kind] if isinstance(value, DefaultValue) else value
