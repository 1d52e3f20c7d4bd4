"""One error tree: whatever bulletin-bot explains instead of crashing on is a BulletinBotError,
so that the command line's one catch prints it as a line with its exit status."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import bot
from bot.errors import BulletinBotError, UserError


def test_every_error_the_bot_defines_is_in_the_tree():
    """Private ones (`_Retryable`) never leave their module: they are retried or turned into
    a public one there."""
    defined = {
        cls
        for info in pkgutil.walk_packages(bot.__path__, "bot.")
        if not info.name.endswith("__main__")  # it runs the command line
        for _, cls in inspect.getmembers(importlib.import_module(info.name), inspect.isclass)
        if issubclass(cls, BaseException)
        and cls.__module__.startswith("bot.")
        and not cls.__name__.startswith("_")
    }
    assert len(defined) > 15  # the walk found them
    assert {c.__qualname__ for c in defined if not issubclass(c, BulletinBotError)} == set()
    wrong_status = {c.__qualname__ for c in defined if issubclass(c, UserError) and c.status != 2}
    assert wrong_status == set()
