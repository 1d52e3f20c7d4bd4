"""Stand-ins for the two sources on 127.0.0.1: the russianwarship.rip v2 API, and the public
dataset's two daily files. Both serve days built from the real dataset copied into
tests/fixtures/dataset, and misbehave on demand (errors, slowness, HTML, broken JSON).

The mapping from dataset columns to API fields is written out here on purpose, independently of
bot/categories.py, so a wrong mapping in the registry fails the tests instead of hiding in both.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATASET = Path(__file__).resolve().parent / "fixtures" / "dataset"

API_FIELDS = {
    "personnel": "personnel_units",
    "tank": "tanks",
    "APC": "armoured_fighting_vehicles",
    "field artillery": "artillery_systems",
    "MRL": "mlrs",
    "anti-aircraft warfare": "aa_warfare_systems",
    "aircraft": "planes",
    "helicopter": "helicopters",
    "vehicles and fuel tanks": "vehicles_fuel_tanks",
    "naval ship": "warships_cutters",
    "cruise missiles": "cruise_missiles",
    "drone": "uav_systems",
    "special equipment": "special_military_equip",
    "mobile SRBM system": "atgm_srbm_systems",
    "submarines": "submarines",
    # Not a field the API is known to have: it stands for "a key never seen before".
    "ground robotic systems": "ground_robotic_systems",
}


def load_dataset() -> list[dict[str, Any]]:
    """The dataset's days, equipment and personnel merged by date."""
    equipment = json.loads((DATASET / "russia_losses_equipment.json").read_text())
    personnel = {
        row["date"]: row
        for row in json.loads((DATASET / "russia_losses_personnel.json").read_text())
    }
    return [{**row, "personnel": personnel[row["date"]]["personnel"]} for row in equipment]


def link_for(day: date) -> str:
    return f"https://www.facebook.com/GeneralStaff.ua/posts/{day:%Y%m%d}"


def api_records(since: date) -> dict[date, dict[str, Any]]:
    """API-shaped records for every dataset day from `since`, with the API's own increases."""
    rows = load_dataset()
    records: dict[date, dict[str, Any]] = {}
    previous: dict[str, int] | None = None
    for row in rows:
        stats = {api: row[col] for col, api in API_FIELDS.items() if col in row}
        day = date.fromisoformat(row["date"])
        if day >= since:
            records[day] = {
                "date": row["date"],
                "day": row["day"],
                "resource": link_for(day),
                "stats": stats,
                "increase": {k: v - (previous or {}).get(k, v) for k, v in stats.items()},
            }
        previous = stats
    return records


@dataclass
class Behaviour:
    """How the server answers: normally, or with a failure for the next `times` requests."""

    failure: str | None = None  # status code as text, or html, truncated, slow, no_data, close
    times: int = 10**9
    retry_after: str | None = None
    delay: float = 0.0


class Misbehaving:
    """What both stand-ins share: the requests seen, and failures on demand."""

    behaviour: Behaviour
    requests: list[tuple[str, str]]  # (path+query, User-Agent)

    def fail(self, failure: str, times: int = 10**9, **options: Any) -> None:
        self.behaviour = Behaviour(failure, times, **options)

    def answer(
        self, target: str, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        behaviour = self.behaviour
        if behaviour.failure and behaviour.times > 0:
            behaviour.times -= 1
            return self._failure(behaviour, target)
        return 200, {"Content-Type": "application/json"}, json.dumps(self._body(target)).encode()

    def _body(self, target: str) -> Any:
        raise NotImplementedError

    def _failure(self, behaviour: Behaviour, target: str) -> tuple[int, dict[str, str], bytes]:
        failure = behaviour.failure
        if failure == "slow":
            time.sleep(behaviour.delay)
            return 200, {}, json.dumps(self._body(target)).encode()
        if failure == "html":
            return 200, {"Content-Type": "text/html"}, b"<html><body>Maintenance</body></html>"
        if failure == "truncated":
            return 200, {}, json.dumps(self._body(target)).encode()[:-40]
        if failure == "no_data":
            return 200, {}, b'{"message": "ok"}'
        headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else {}
        return int(failure), headers, b'{"message": "error"}'


@dataclass
class FakeDataset(Misbehaving):
    """The dataset's russia_losses_equipment.json and russia_losses_personnel.json, as
    raw.githubusercontent.com serves them, from merged rows by date (see load_dataset)."""

    rows: dict[date, dict[str, Any]]
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[tuple[str, str]] = field(default_factory=list)
    not_modified: int = 0  # requests answered 304

    @classmethod
    def since(cls, day: date) -> FakeDataset:
        rows = {date.fromisoformat(row["date"]): row for row in load_dataset()}
        return cls({d: row for d, row in rows.items() if d >= day})

    @property
    def latest(self) -> date:
        return max(self.rows)

    def set_total(self, day: date, column: str, total: int) -> None:
        self.rows[day] = {**self.rows[day], column: total}

    def drop(self, day: date) -> None:
        del self.rows[day]

    def answer(
        self, target: str, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """As raw.githubusercontent.com does: an ETag with each file, and 304 Not Modified to
        a request that names the ETag of the file as it still is."""
        status, answer_headers, body = super().answer(target, headers)
        if status != 200:
            return status, answer_headers, body
        etag = f'"{hashlib.sha1(body).hexdigest()}"'
        if headers is not None and headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return 304, {"ETag": etag}, b""
        return status, {**answer_headers, "ETag": etag}, body

    def _body(self, target: str) -> list[dict[str, Any]]:
        rows = [row for _, row in sorted(self.rows.items())]
        if target.endswith("/russia_losses_personnel.json"):
            return [
                {
                    "date": r["date"],
                    "day": r["day"],
                    "personnel": r["personnel"],
                    "personnel*": "about",
                }
                for r in rows
            ]
        if target.endswith("/russia_losses_equipment.json"):
            return [{k: v for k, v in r.items() if k != "personnel"} for r in rows]
        raise KeyError(target)


@dataclass
class FakeStatisticsApi(Misbehaving):
    records: dict[date, dict[str, Any]]
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path+query, User-Agent)
    page_size: int = 50
    next_url_loops: bool = False  # every page points back to the second one

    @property
    def latest(self) -> date:
        return max(self.records)

    def set_total(self, day: date, api_field: str, total: int) -> None:
        """Revise a figure as the source would: the total and that day's increase."""
        record = self.records[day]
        difference = total - record["stats"][api_field]
        record["stats"] = {**record["stats"], api_field: total}
        record["increase"] = {
            **record["increase"],
            api_field: record["increase"][api_field] + difference,
        }

    def drop(self, day: date) -> None:
        del self.records[day]

    # Serving -----------------------------------------------------------------------------------

    def _body(self, target: str) -> dict[str, Any]:
        parts = urlsplit(target)
        path = parts.path.rstrip("/")
        if path.endswith("/statistics/latest"):
            return {
                "message": "The data were fetched successfully.",
                "data": self.records[self.latest],
            }
        if path.endswith("/statistics"):
            return self._page(parse_qs(parts.query))
        day = date.fromisoformat(path.rsplit("/", 1)[-1])
        return {"message": "ok", "data": self.records[day]}

    def _page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        first = date.fromisoformat(query["date_from"][0])
        last = date.fromisoformat(query["date_to"][0])
        offset = int(query.get("offset", ["0"])[0])
        limit = min(int(query.get("limit", ["50"])[0]), self.page_size)
        chosen = [r for d, r in sorted(self.records.items()) if first <= d <= last]
        page = chosen[offset : offset + limit]
        next_url = None
        if self.next_url_loops:
            offset = 0
        if offset + limit < len(chosen):
            next_url = (
                f"/api/v2/statistics?date_from={first}&date_to={last}"
                f"&offset={offset + limit}&limit={limit}"
            )
        return {
            "message": "ok",
            "data": {"paging": {"total": len(chosen), "next_url": next_url}, "records": page},
        }


class Server:
    """Serves a stand-in at http://127.0.0.1:PORT/api/v2 (or another path) from a thread."""

    def __init__(self, api: Misbehaving, path: str = "/api/v2") -> None:
        self.api = api
        self.path = path
        handler = _handler_for(api)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{self.path}"

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(api: Misbehaving) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            api.requests.append((self.path, self.headers.get("User-Agent", "")))
            try:
                status, headers, body = api.answer(self.path, self.headers)
            except (KeyError, ValueError):
                status, headers, body = 404, {}, b'{"message": "not found"}'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def closed_port_url() -> str:
    """A loopback URL where nothing listens: a source that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v2"
