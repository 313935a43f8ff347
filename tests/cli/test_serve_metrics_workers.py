"""`b2connect serve --workers 2`: `/metrics` counts the requests of every worker.

Each worker is its own process with its own counters, and a scrape reaches one of them; without
prometheus_client's multiprocess mode a scrape saw about half the traffic, and a different half
on each scrape. `serve` sets it up (gateway_api/http/observability.py, `multiprocess_metrics`).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.support.live_server import live_gateway

REQUESTS = 60
HEALTH_COUNT = re.compile(
    r'^b2connect_http_requests_total\{[^}]*route="/health"[^}]*status="200"[^}]*\} (\S+)$',
    re.MULTILINE,
)


def _health_requests(exposition: str) -> float:
    return sum(float(value) for value in HEALTH_COUNT.findall(exposition))


def test_metrics_add_up_the_requests_of_every_worker(database_url: str, mappings_dir: Path) -> None:
    with live_gateway(database_url, mappings_dir, workers=2) as base:
        answered = 1  # the readiness probe of live_gateway, answered 200 once
        for _ in range(REQUESTS):  # a new connection each: the two workers share them out
            answered += httpx.get(f"{base}/health", timeout=5.0).status_code == 200
        scrapes = [httpx.get(f"{base}/metrics", timeout=5.0) for _ in range(6)]

    assert all(scrape.status_code == 200 for scrape in scrapes)
    counts = [_health_requests(scrape.text) for scrape in scrapes]
    assert counts == [answered] * len(scrapes)
    gauge = re.findall(r"^b2connect_dead_letters_open(?:\{[^}]*\})? (\S+)$", scrapes[-1].text, re.M)
    assert gauge == ["0.0"], scrapes[-1].text  # one value, the latest read, not one per worker
