"""`b2connect serve --workers 2`: `/metrics` counts the requests of every worker.

Each worker is its own process with its own counters, and a scrape reaches one of them; without
prometheus_client's multiprocess mode a scrape saw about half the traffic, and a different half
on each scrape. `serve` sets it up (gateway_api/http/observability.py, `multiprocess_metrics`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import free_port
from tests.support.paths import REPO_ROOT

REQUESTS = 60
HEALTH_COUNT = re.compile(
    r'^b2connect_http_requests_total\{[^}]*route="/health"[^}]*status="200"[^}]*\} (\S+)$',
    re.MULTILINE,
)


def _health_requests(exposition: str) -> float:
    return sum(float(value) for value in HEALTH_COUNT.findall(exposition))


def test_metrics_add_up_the_requests_of_every_worker(database_url: str, mappings_dir: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "B2CONNECT_DATABASE_URL": database_url,
        "B2CONNECT_MAPPINGS_DIR": str(mappings_dir),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [
        str(Path(sys.executable).parent / "b2connect"),
        *("serve", "--port", str(port), "--workers", "2", "--log-level", "warning"),
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    answered = 0
    try:
        deadline = time.monotonic() + 60
        while answered == 0:
            assert process.poll() is None, "the gateway exited"
            with contextlib.suppress(httpx.TransportError):
                answered += httpx.get(f"{base}/health", timeout=2.0).status_code == 200
            assert time.monotonic() < deadline, "the gateway did not come up"
            time.sleep(0.1)
        for _ in range(REQUESTS):  # a new connection each: the two workers share them out
            answered += httpx.get(f"{base}/health", timeout=5.0).status_code == 200
        scrapes = [httpx.get(f"{base}/metrics", timeout=5.0) for _ in range(6)]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)

    assert all(scrape.status_code == 200 for scrape in scrapes)
    counts = [_health_requests(scrape.text) for scrape in scrapes]
    assert counts == [answered] * len(scrapes)
    gauge = re.findall(r"^b2connect_dead_letters_open(?:\{[^}]*\})? (\S+)$", scrapes[-1].text, re.M)
    assert gauge == ["0.0"], scrapes[-1].text  # one value, the latest read, not one per worker
