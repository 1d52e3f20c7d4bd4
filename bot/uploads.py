"""Files sent to many chats (a chart, a card, an export): sent once with their bytes, then by
the id Telegram gave them. No Telegram here: bot/telegram/uploads.py sends them.

A broadcast with the daily chart is 100,000 sends of the same picture, and a crowd asking for
one export as many sends of the same file: each uploaded once, then sent by its file id."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass(eq=False)
class Upload:
    """A file's bytes (until Telegram has them, unless `keep`), its name, and the file id it
    was first sent by. One object per file made: whoever sends it shares the id."""

    data: bytes | None
    file_name: str | None = None
    file_id: str | None = None
    # The bytes are kept once Telegram has them, to upload again should it refuse the id: a
    # picture's (tens of kilobytes). An export's (up to megabytes) are let go.
    keep: bool = True
    # Held by the send that uploads: sends meanwhile wait for its file id rather than upload
    # the same bytes beside it.
    sending: asyncio.Lock = field(default_factory=asyncio.Lock)
