"""bench.open_loop's pure parts and its load generator against a tiny HTTP server on 127.0.0.1.

The point of the open-loop generator is that a server stall is charged to every request
*scheduled* during it (coordinated omission accounted for), not only to the one in flight: the
stalling server below proves that the latency from the schedule shows the stall at p99 while the
service time from the actual send (what a closed loop reports) does not.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httptools
import pytest
import uvloop

from bench.open_loop import (
    LoadResult,
    build_requests,
    offer_load,
    percentile,
    phase_figures,
    scheduled_time,
    summary_ms,
)

STALL_S = 0.2


class _StubServer(asyncio.Protocol):
    """HTTP/1.1 keep-alive server: answers each request with `status_for(n)` (n counts requests
    over all connections); a request arriving inside [stall_from, stall_until) is answered only
    at stall_until (perf_counter times), as if the server had frozen."""

    count = 0

    def __init__(self, state: dict[str, float], status_for: Callable[[int], int]) -> None:
        self.state = state
        self.status_for = status_for
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state["connections"] += 1

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        _StubServer.count += 1
        status = self.status_for(_StubServer.count)
        answer = b"HTTP/1.1 %d X\r\nContent-Length: 2\r\n\r\nok" % status
        now = time.perf_counter()
        delay = 0.0
        if self.state["stall_from"] <= now < self.state["stall_until"]:
            delay = self.state["stall_until"] - now
        assert self.transport is not None
        transport = self.transport
        asyncio.get_running_loop().call_later(delay, transport.write, answer)


async def _run_against_stub(
    *,
    rate: float,
    count: int,
    max_connections: int,
    stall_after: float | None = None,
    stall_seconds: float = STALL_S,
    drain_seconds: float = 5.0,
    status_for: Callable[[int], int] = lambda _n: 200,
) -> tuple[LoadResult, dict[str, float]]:
    """Start the stub server, offer `count` requests at `rate`, stall `stall_after` s in."""
    loop = asyncio.get_running_loop()
    _StubServer.count = 0
    state = {"stall_from": 0.0, "stall_until": 0.0, "connections": 0.0}
    server = await loop.create_server(lambda: _StubServer(state, status_for), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    requests = build_requests("127.0.0.1", port, "/cxml/x", [b"<cXML/>"] * count)
    if stall_after is not None:
        # offer_load starts its schedule 20 ms after it is called
        start = time.perf_counter() + 0.02
        state["stall_from"] = start + stall_after
        state["stall_until"] = start + stall_after + stall_seconds
    try:
        result = await offer_load(
            "127.0.0.1",
            port,
            requests,
            rate,
            max_connections=max_connections,
            drain_seconds=drain_seconds,
        )
    finally:
        server.close()
        await server.wait_closed()
    return result, state


def _run(coro: object) -> tuple[LoadResult, dict[str, float]]:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)  # type: ignore[arg-type]


# -- pure parts ---------------------------------------------------------------------------------


def test_request_i_is_scheduled_at_t0_plus_i_over_rate() -> None:
    assert scheduled_time(10.0, 0, 500) == 10.0
    assert scheduled_time(10.0, 250, 500) == pytest.approx(10.5)
    assert scheduled_time(10.0, 29_999, 500) == pytest.approx(10.0 + 59.998)
    # computed from the index, not accumulated: no drift after many steps
    assert scheduled_time(0.0, 3_000_000, 3.0) == 1_000_000.0


def test_percentile_is_exact_nearest_rank() -> None:
    values = [float(v) for v in range(1, 1001)]
    assert percentile(values, 50) == 500.0
    assert percentile(values, 90) == 900.0
    assert percentile(values, 99) == 990.0
    assert percentile(values, 99.9) == 999.0
    assert percentile(values, 100) == 1000.0
    assert percentile([7.0], 99.9) == 7.0
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="must be in"):
        percentile(values, 0)


def test_summary_is_in_milliseconds_with_max() -> None:
    figures = summary_ms([i / 1000 for i in range(1000, 0, -1)])  # unsorted input, 1..1000 ms
    assert figures == {"p50": 500.0, "p90": 900.0, "p99": 990.0, "p99.9": 999.0, "max": 1000.0}


def test_requests_are_complete_http_posts() -> None:
    body = b"<cXML>\xc3\xa9</cXML>"
    (raw,) = build_requests("127.0.0.1", 8080, "/cxml/coupa-demo", [body])
    seen: dict[str, object] = {"body": b""}

    class Sink:
        def on_url(self, url: bytes) -> None:
            seen["url"] = url

        def on_body(self, chunk: bytes) -> None:
            seen["body"] = seen["body"] + chunk  # type: ignore[operator]

        def on_message_complete(self) -> None:
            seen["complete"] = True

    parser = httptools.HttpRequestParser(Sink())
    parser.feed_data(raw)
    assert parser.get_method() == b"POST"
    assert parser.should_keep_alive()
    assert seen == {"url": b"/cxml/coupa-demo", "body": body, "complete": True}


# -- the generator against a stub server --------------------------------------------------------


def test_generator_keeps_the_schedule_and_reuses_connections() -> None:
    result, _ = _run(_run_against_stub(rate=400, count=200, max_connections=1000))
    assert result.statuses() == {"200": 200}
    # never early, and only slightly late
    assert all(result.dispatched[i] >= result.scheduled(i) for i in range(200))
    # the dispatch lag is timer granularity (~1 ms) plus the machine's scheduling noise; the
    # bounds are loose because other benchmarks may share the CPUs while this test runs
    lag = summary_ms(result.lags())
    assert lag["p50"] < 5
    assert lag["p99"] < 100
    assert result.offered_per_s() == pytest.approx(400, rel=0.05)
    # a fast server: idle keep-alive connections are reused, not one connection per request
    assert result.connections_opened < 50
    figures = phase_figures(result, max_lag_ms=20, max_connections=1000)
    assert figures["errors"] == 0
    assert figures["generator_checks"]["connection_cap_not_reached"]


def test_stall_is_charged_to_requests_scheduled_during_it() -> None:
    """One connection (a closed loop of 1): the server freezes 200 ms, 0.3 s into a 1 s run at
    200/s. The 40 requests scheduled during the freeze wait behind the one in flight; measured
    from their send they look fast, measured from their schedule they carry the stall."""
    result, _ = _run(_run_against_stub(rate=200, count=200, max_connections=1, stall_after=0.3))
    assert result.statuses() == {"200": 200}
    latency = summary_ms(result.latencies())
    service = summary_ms(result.service_times())
    assert result.waited_for_connection >= 30
    assert latency["p99"] >= 150  # the stall, seen by ~40 of 200 requests
    assert latency["max"] >= 0.9 * STALL_S * 1000
    assert service["max"] >= 0.9 * STALL_S * 1000  # only the one request in flight saw it
    assert service["p99"] < 50  # ... so the closed-loop view hides it
    figures = phase_figures(result, max_lag_ms=20, max_connections=1)
    assert not figures["generator_checks"]["connection_cap_not_reached"]


def test_open_loop_opens_connections_instead_of_waiting_during_a_stall() -> None:
    result, state = _run(
        _run_against_stub(rate=200, count=200, max_connections=1000, stall_after=0.3)
    )
    assert result.statuses() == {"200": 200}
    assert result.waited_for_connection == 0
    assert result.connections_opened >= 30  # one per request scheduled during the freeze
    assert state["connections"] == result.connections_opened
    assert summary_ms(result.latencies())["p99"] >= 150
    # the generator kept sending during the freeze: no request was dispatched a stall late
    assert summary_ms(result.lags())["max"] < 0.5 * STALL_S * 1000


def test_non_200_answers_are_errors() -> None:
    result, _ = _run(
        _run_against_stub(
            rate=500,
            count=100,
            max_connections=1000,
            status_for=lambda n: 503 if n % 10 == 0 else 200,
        )
    )
    figures = phase_figures(result, max_lag_ms=20, max_connections=1000)
    assert figures["statuses"] == {"200": 90, "503": 10}
    assert figures["errors"] == 10
    assert figures["non_200"] == 10
    assert figures["error_samples"][0].startswith("503: b'ok'")


def test_refused_connections_are_socket_errors() -> None:
    async def refused() -> tuple[LoadResult, dict[str, float]]:
        import socket

        with socket.socket() as sock:  # a port nothing listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        requests = build_requests("127.0.0.1", port, "/x", [b"a"] * 5)
        return await offer_load("127.0.0.1", port, requests, 500, drain_seconds=2), {}

    result, _ = _run(refused())
    figures = phase_figures(result, max_lag_ms=20, max_connections=1000)
    assert figures["socket_errors"] == 5
    assert figures["answered"] == 0
    assert figures["errors"] == 5
    assert figures["unanswered"] == 0


def test_answers_missing_after_the_drain_time_are_unanswered_not_socket_errors() -> None:
    """A server that never answers: the generator gives up after the drain time and aborts its
    connections itself; that is not the server's socket error, and every request is missing."""
    result, _ = _run(
        _run_against_stub(
            rate=500,
            count=20,
            max_connections=10,
            stall_after=-1.0,
            stall_seconds=3600.0,
            drain_seconds=0.3,
        )
    )
    figures = phase_figures(result, max_lag_ms=20, max_connections=10)
    assert figures["answered"] == 0
    assert figures["socket_errors"] == 0
    assert figures["unanswered"] == 20
    assert figures["errors"] == 20
    assert result.connections_opened == 10  # no reconnects while shutting down
