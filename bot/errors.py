"""The errors a person is shown, as opposed to the bot's own failures.

`UserError`: what someone asked for cannot be done as asked (a date in the future, an unknown
category, a held report that is not held...). Its message, in the asker's language, says what
was wrong and what to type instead. Handlers refuse by raising it; the Telegram layer answers it in
one place (bot/telegram/errors.py `refuse`, from the one wrapper around every command in
bot/telegram/app.py); the command line prints it and exits with status 2.

Sources fail in a family of their own (`bot.sources.http.SourceError`): that is the world's
failure, logged and retried, not the asker's.
"""

from __future__ import annotations


class UserError(ValueError):
    """A request that cannot be done as asked; str(error) is the answer to give."""
