"""The real gateway on 127.0.0.1: `b2connect serve` in a subprocess, stopped after the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.paths import REPO_ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_gateway(
    database_url: str, mappings_dir: Path, *, workers: int = 1, timeout: float = 30.0
) -> Iterator[str]:
    """Start `b2connect serve` against a migrated database; yield its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "B2CONNECT_DATABASE_URL": database_url,
        "B2CONNECT_MAPPINGS_DIR": str(mappings_dir),
        "B2CONNECT_HOSTNAME": "e2e.b2connect.local",
    }
    command = [
        str(Path(sys.executable).parent / "b2connect"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                msg = f"gateway exited with {process.returncode}:\n{output}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                msg = f"gateway did not become healthy within {timeout} s"
                raise RuntimeError(msg)
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
