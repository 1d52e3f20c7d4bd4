"""Sending an `Upload` (bot/uploads.py): by its file id once Telegram has given one, else
with its bytes, by one send at a time while the others wait for the id that send brings."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Message
from telegram.error import BadRequest

from bot.uploads import Upload

log = logging.getLogger(__name__)

# What Telegram says of a file id it no longer takes: "wrong file identifier/HTTP URL
# specified", "wrong remote file identifier specified", an expired file reference.
FILE_REFUSED = ("file identifier", "file_reference", "file reference")

# A send of the file: given its file id, or its bytes (to upload), Telegram's answer.
Send = Callable[[str | bytes], Awaitable[Message]]


async def send_upload(upload: Upload, send: Send) -> None:
    """Send `upload` once by `send`. The first send uploads the bytes and keeps the file id
    Telegram answers with; sends that come meanwhile wait for it (if that upload fails, the
    next of them uploads), then go by the id, at once. An id Telegram refuses is forgotten
    and the bytes uploaded again, if they were kept; if not, the refusal is the answer."""
    file_id = upload.file_id
    if file_id is None:
        async with upload.sending:
            file_id = upload.file_id
            if file_id is None:
                await _upload(upload, send)
                return
    try:
        await send(file_id)
    except BadRequest as error:
        if not file_refused(error) or upload.data is None:
            raise
        log.warning("file id refused, uploading again file_id=%s error=%r", file_id, error.message)
        async with upload.sending:
            if upload.file_id == file_id:
                upload.file_id = None
            if upload.file_id is None:
                await _upload(upload, send)
                return
        await send(upload.file_id)


async def _upload(upload: Upload, send: Send) -> None:
    assert upload.data is not None  # let go only once the file id is known
    sent = await send(upload.data)
    if sent.photo:  # its sizes, the largest (the one sent) last
        upload.file_id = sent.photo[-1].file_id
    elif sent.document:
        upload.file_id = sent.document.file_id
    if upload.file_id is not None and not upload.keep:
        upload.data = None


def file_refused(error: BadRequest) -> bool:
    """Whether Telegram refused a file id (not the message)."""
    message = error.message.lower()
    return any(words in message for words in FILE_REFUSED)
