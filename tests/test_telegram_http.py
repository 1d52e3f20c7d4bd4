"""The request layer every send goes through (bot/telegram/aiohttp_request.py), talking to a
scripted HTTP server on 127.0.0.1: python-telegram-bot's real `Bot` on top, so what a test
sees is what the Deliverer sees, a `Message` or a python-telegram-bot error. The server answers
as servers in the wild may: over TLS, in chunks, closing the connection after an answer, or
dropping a kept-alive connection once it has been idle a while."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram.aiohttp_request import AiohttpRequest

TOKEN = "1:test"


def answer_json(method: str, text: str) -> bytes:
    """What the Bot API answers to a getMe or a sendMessage."""
    if method == "getMe":
        result = {"id": 1, "is_bot": True, "first_name": "Bulletin", "username": "bulletin_bot"}
    else:
        result = {"message_id": 7, "date": 0, "chat": {"id": 5, "type": "private"}, "text": text}
    return json.dumps({"ok": True, "result": result}).encode()


# How the server writes an answer: given the answer's body, the bytes on the wire.
Shape = Callable[[bytes], bytes]


def with_length(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def chunked(body: bytes) -> bytes:
    """The body in chunks of 10 bytes, a chunk extension on the first, and a trailer."""
    pieces = [body[i : i + 10] for i in range(0, len(body), 10)]
    chunks = b"".join(
        b"%x%s\r\n%s\r\n" % (len(p), b";x=1" * (i == 0), p) for i, p in enumerate(pieces)
    )
    return (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\nX-T: 1\r\n\r\n"
    )


def to_the_end(body: bytes) -> bytes:
    """No length: the body runs to the end of the connection, which the server then closes."""
    return b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body


@dataclass
class ScriptedServer:
    """An HTTP/1.1 server answering each sendMessage with its text, in `shape`. With `idle`,
    it closes a connection idle that long after an answer, as servers do to kept-alive ones;
    with `silent`, it reads requests and never answers."""

    shape: Shape = with_length
    idle: float | None = None
    silent: bool = False
    tls: ssl.SSLContext | None = None
    texts: list[str] = field(default_factory=list)  # every sendMessage received, in order
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                async with asyncio.timeout(self.idle):
                    head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                form = parse_qs((await reader.readexactly(length)).decode())
                method = head.split(b" ")[1].rsplit(b"/", 1)[1].decode()
                text = form.get("text", [""])[0]
                if method == "sendMessage":
                    self.texts.append(text)
                    if self.silent:
                        await asyncio.sleep(3600)
                writer.write(self.shape(answer_json(method, text)))
                await writer.drain()
                if self.shape is to_the_end:
                    break
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self.handle, "127.0.0.1", 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{port}/bot"

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()


@pytest.fixture
async def bot_on() -> AsyncIterator[Callable[..., Bot]]:
    """`bot_on(base_url)`: a python-telegram-bot Bot sending through AiohttpRequest (which
    starts its session on the first call: no getMe first), closed after the test."""
    requests: list[AiohttpRequest] = []

    def make(base_url: str, tls: ssl.SSLContext | None = None) -> Bot:
        requests.append(AiohttpRequest(tls=tls))
        return Bot(TOKEN, base_url=base_url, request=requests[-1])

    yield make
    for request in requests:
        await request.shutdown()


async def send(bot: Bot, text: str, **timeouts: float) -> str:
    """Send `text` as the Deliverer does; the text of the Message python-telegram-bot parsed
    from the answer."""
    message = await bot.send_message(5, text, **timeouts)
    return message.text or ""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for these tests: (cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    subprocess.run(
        [
            *command.split(" "),
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_answers_of_every_shape_are_read_whole(bot_on):
    """With a length, in chunks (an extension and a trailer included), and to the end of a
    connection the server then closes: each answer is read whole, and the next send after a
    closed connection goes out on a new one."""
    for shape in (with_length, chunked, to_the_end):
        server = ScriptedServer(shape=shape)
        async with server as base_url:
            bot = bot_on(base_url)
            texts = [await send(bot, f"{shape.__name__} {n} " + "ж" * 40) for n in range(3)]
        assert texts == [f"{shape.__name__} {n} " + "ж" * 40 for n in range(3)], shape
        assert server.texts == texts  # each sent once
        assert server.connections == (3 if shape is to_the_end else 1), shape


async def test_a_connection_the_server_dropped_while_idle_is_not_used_again(bot_on):
    """A server closes a kept-alive connection after 0.2 s idle: the send after a pause goes
    out once, on a new connection, and is answered (not a NetworkError, not sent twice)."""
    server = ScriptedServer(idle=0.2)
    async with server as base_url:
        bot = bot_on(base_url)
        assert await send(bot, "before the pause") == "before the pause"
        await asyncio.sleep(0.6)
        assert await send(bot, "after the pause") == "after the pause"
    assert server.texts == ["before the pause", "after the pause"]
    assert server.connections == 2


async def test_a_server_that_never_answers_times_out_as_python_telegram_bot_says(bot_on):
    """The Deliverer counts on TimedOut (a NetworkError) to try a send again later."""
    server = ScriptedServer(silent=True)
    async with server as base_url:
        with pytest.raises(TimedOut):
            await send(bot_on(base_url), "hello", read_timeout=0.3)
    assert server.texts == ["hello"]


async def test_nobody_listening_is_a_network_error(bot_on, unused_tcp_port):
    with pytest.raises(NetworkError) as raised:
        await send(bot_on(f"http://127.0.0.1:{unused_tcp_port}/bot"), "hello")
    assert not isinstance(raised.value, TimedOut)


async def test_tls_to_a_server_whose_certificate_is_trusted(bot_on, certificate):
    cert, key = certificate
    serving = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    serving.load_cert_chain(cert, key)
    server = ScriptedServer(shape=chunked, tls=serving)
    async with server as base_url:
        assert base_url.startswith("https://")
        bot = bot_on(base_url, tls=ssl.create_default_context(cafile=str(cert)))
        assert [await send(bot, f"secret {n}") for n in range(2)] == ["secret 0", "secret 1"]
    assert server.connections == 1  # kept alive over TLS too


async def test_tls_refuses_a_server_whose_certificate_is_not_trusted(bot_on, certificate):
    """By default the system's authorities decide: a self-signed server is refused before
    anything is sent to it."""
    cert, key = certificate
    serving = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    serving.load_cert_chain(cert, key)
    server = ScriptedServer(tls=serving)
    async with server as base_url:
        with pytest.raises(NetworkError, match="certificate"):
            await send(bot_on(base_url), "secret")
    assert server.texts == []
