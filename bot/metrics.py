"""Prometheus metrics, served only when `[metrics] port` is set. No Telegram here.

The metrics live in a registry of their own, so nothing else in the process (or a second bot in
the same test run) is mixed in.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

REGISTRY = CollectorRegistry()
FETCHES = Counter(
    "bulletin_fetches",
    "Fetches from each source, by result",
    ["source", "result"],
    registry=REGISTRY,
)
HELD = Counter("bulletin_reports_held", "Reports put on hold for an admin", registry=REGISTRY)
DELIVERIES = Counter(
    "bulletin_deliveries",
    "Outbox messages, by how the attempt ended",
    ["status"],
    registry=REGISTRY,
)
OUTBOX = Gauge("bulletin_outbox_pending", "Messages waiting to be sent", registry=REGISTRY)
COMMAND_SECONDS = Histogram(
    "bulletin_command_seconds",
    "Time to answer a command",
    ["command"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
WEBHOOK_REQUESTS = Counter(
    "bulletin_webhook_requests",
    "Requests to the webhook, by HTTP status (403: no secret, 413: too big, 400: not an update)",
    ["status"],
    registry=REGISTRY,
)
WEBHOOK_DROPPED = Counter(
    "bulletin_webhook_connections_dropped",
    "Webhook connections closed unserved: 'slow' (waited longest for its headers, closed to "
    "make room), 'full' (the cap reached, none waiting), 'accept_failed' (out of descriptors)",
    ["reason"],
    registry=REGISTRY,
)


def serve(port: int, address: str) -> None:
    """Expose /metrics on `address:port` from a background thread."""
    start_http_server(port, addr=address, registry=REGISTRY)
