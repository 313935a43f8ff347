"""`b2connect serve` logs what operators need on stderr: one access line per request and a line
for every refused body, in every worker (uvicorn applies the log config per process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import free_port
from tests.support.paths import REPO_ROOT


def test_serve_writes_access_lines_and_refusals_to_stderr(
    database_url: str, mappings_dir: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "B2CONNECT_DATABASE_URL": database_url,
        "B2CONNECT_MAPPINGS_DIR": str(mappings_dir),
    }
    command = [str(Path(sys.executable).parent / "b2connect"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the gateway exited"
            try:
                if httpx.get(f"{base}/health?probe=1", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the gateway did not come up"
            time.sleep(0.1)
        refused = httpx.post(f"{base}/cxml/coupa-demo", content=b"<not-cxml", timeout=5.0)
        assert refused.status_code == 400
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    log = stderr.decode()
    assert 'INFO gateway_api.access: 127.0.0.1 "GET /health" 200' in log
    assert "probe=1" not in log  # query strings are never logged
    assert '"POST /cxml/coupa-demo" 400' in log
    assert "WARNING gateway_api.http.routes.ingress: refused" in log
