"""Prometheus metrics: what a poll, a command and a delivery add, served over HTTP."""

from __future__ import annotations

import socket

import httpx

from bot import metrics
from bot.telegram.jobs import poll_now


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_polls_commands_and_deliveries_are_counted_and_served(bot, fake_api):
    before = {
        "fetch": sample("bulletin_fetches_total", source="api", result="ok"),
        "failed": sample("bulletin_fetches_total", source="api", result="failed"),
        "latest": sample("bulletin_command_seconds_count", command="latest"),
        "sent": sample("bulletin_deliveries_total", status="sent"),
    }
    await bot.ask("/subscribe", chat_id=42)
    await bot.ask("/latest tanks")
    await poll_now(bot.services)
    fake_api.api.fail("500")
    await poll_now(bot.services)
    bot.services.deliverer = bot.deliverer()
    await bot.services.deliverer.run()

    assert sample("bulletin_fetches_total", source="api", result="ok") == before["fetch"] + 1
    assert sample("bulletin_fetches_total", source="api", result="failed") == before["failed"] + 1
    assert sample("bulletin_command_seconds_count", command="latest") == before["latest"] + 1
    assert sample("bulletin_deliveries_total", status="sent") == before["sent"] + 1
    assert sample("bulletin_outbox_pending") == 0

    port = free_port()
    metrics.serve(port, "127.0.0.1")
    async with httpx.AsyncClient() as client:
        page = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    assert 'bulletin_command_seconds_count{command="latest"}' in page
    assert "bulletin_reports_held_total" in page
