"""The gateway API served by uvicorn in a background thread, sharing the caller's runtime (demo).

The demo needs the API on a real socket (the fake platforms post orders over HTTP) and the
same clock as its jobs (it fast-forwards through an outage), so the app runs in-process rather
than as `b2connect serve` in a subprocess.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime


@contextmanager
def serve_in_thread(runtime: Runtime, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the API for `runtime` on an ephemeral port; yield its base URL; stop on exit."""
    config = uvicorn.Config(
        create_app(runtime=runtime), host=host, port=0, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="demo-gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            msg = "the demo gateway did not start"
            raise RuntimeError(msg)
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
