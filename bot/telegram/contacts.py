"""Each chat's language as every update needs it, with first contacts written together.

Every update is answered in its chat's language (bot/telegram/middleware.py, use_chat_language),
and a chat the bot has never seen gets a guess, from its author's Telegram app, which is
remembered. Remembered one at a time, a crowd of 5,000 people each sending /start once was 5,000
commits on the event loop (bench/updates.py). Each guess is kept here instead until the updates
being handled with it have had their turn, then all of them are written in one transaction: the
updates python-telegram-bot fetched together (up to 100) start their handlers in one turn of the
event loop, before this write. The write thus comes before anything else the same update waits
for (its reply, first of all), so whatever reads the store after it (a subscription's language
in /stats, a delivery) finds the chat's language there. A guess is never written over a language
the chat chose (the store's rule). A guess lost with the process (a crash before the write) costs
nothing: the next update from that chat guesses again.
"""

from __future__ import annotations

import asyncio
import logging

from bot.clock import Clock
from bot.store import Store, StoreError

log = logging.getLogger(__name__)


class FirstContacts:
    """Chats' languages: as stored, or as guessed at a first contact and not yet written."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._guessed: dict[int, str] = {}
        self._writing: asyncio.Handle | None = None

    def language(self, chat_id: int) -> str | None:
        """The chat's language: the one stored (chosen, or guessed before), else the guess
        waiting to be written; None for a chat never seen."""
        return self.store.subscribers.chat_language(chat_id) or self._guessed.get(chat_id)

    def guessed(self, chat_id: int, language: str) -> None:
        """Remember a first contact's language: written with the others guessed in this turn
        of the event loop, at its end."""
        self._guessed[chat_id] = language
        if self._writing is None:
            self._writing = asyncio.get_running_loop().call_soon(self.write)

    def write(self) -> None:
        """Write the guesses waiting, in one transaction. One that fails is logged and
        dropped: those chats' next updates guess again."""
        if self._writing is not None:
            self._writing.cancel()
            self._writing = None
        guesses, self._guessed = self._guessed, {}
        if not guesses:
            return
        now = self.clock.now()
        try:
            with self.store.transaction():
                self.store.subscribers.set_chat_languages(guesses, chosen=False, now=now)
        except StoreError as error:
            log.warning(
                "first contacts' languages not written count=%d error=%r", len(guesses), str(error)
            )
