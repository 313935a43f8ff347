"""`make run`'s launcher (scripts/run_hub.sh) on the embedded SQLite default: the gateway API,
the delivery worker and `airflow standalone` start; Airflow's REST API lists every DAG with no
import errors; a confirmation posted to the API reaches a fake platform with no further
command; Ctrl-C (SIGINT) stops every process it started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.testing.fake_platform_server import FakePlatform
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.live_server import free_port
from tests.support.paths import REPO_ROOT
from tests.support.platforms import live_platforms

pytestmark = pytest.mark.e2e

EXPECTED_DAGS = {
    "outbox_sweep",
    "file_drop_poll",
    "order_pull",
    "dead_letter_replay",
    "reconciliation",
    "raw_document_retention",
    "track_shipments",
    "erp_pull",
    "sync_inventory",
    "sync_prices",
}


def wait_for(check: object, *, seconds: float, what: str) -> None:
    """Poll `check()` until it is true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def platforms(mappings_dir: Path) -> Iterator[dict[str, FakePlatform]]:
    with live_platforms(mappings_dir, FakeClock()) as running:
        yield running


def test_make_run_serves_airflow_with_every_dag_and_delivers_without_a_command(
    tmp_path: Path, mappings_dir: Path, platforms: dict[str, FakePlatform]
) -> None:
    api_port, airflow_port = free_port(), free_port()
    var = tmp_path / "var"
    env = {
        **os.environ,
        "B2CONNECT_VAR_DIR": str(var),
        "B2CONNECT_MAPPINGS_DIR": str(mappings_dir),
        "PORT": str(api_port),
        "AIRFLOW_PORT": str(airflow_port),
    }
    for name in ("B2CONNECT_DATABASE_URL", "AIRFLOW_HOME"):
        env.pop(name, None)
    launcher = subprocess.Popen(
        ["bash", str(REPO_ROOT / "scripts" / "run_hub.sh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{api_port}"
    airflow = f"http://127.0.0.1:{airflow_port}"
    output = ""
    try:
        wait_for(lambda: httpx.get(f"{api}/health").is_success, seconds=120, what="the API")
        wait_for(
            lambda: httpx.get(f"{airflow}/api/v2/version").is_success,
            seconds=120,
            what="Airflow",
        )
        password_file = var / "airflow" / "simple_auth_manager_passwords.json.generated"
        password = json.loads(password_file.read_text())["admin"]
        token = httpx.post(
            f"{airflow}/auth/token", json={"username": "admin", "password": password}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def every_dag_listed() -> bool:
            dags = httpx.get(f"{airflow}/api/v2/dags", headers=headers).json()
            return {d["dag_id"] for d in dags["dags"]} == EXPECTED_DAGS

        wait_for(every_dag_listed, seconds=90, what="the dag-processor to list every DAG")
        errors = httpx.get(f"{airflow}/api/v2/importErrors", headers=headers).json()
        assert errors["total_entries"] == 0, errors

        coupa = platforms["coupa-demo"]
        body = order_request(
            partner="coupa-demo",
            order_id="PO-RUN-1",
            payload_id="run-1@buyer",
            lines=[Line("1001")],
        )
        coupa.register_order_request(body)
        assert httpx.post(f"{api}/cxml/coupa-demo", content=body).status_code == 200
        (order,) = httpx.get(f"{api}/orders").json()
        queued = httpx.post(f"{api}/orders/{order['id']}/confirmations", json={"type": "accept"})
        assert queued.status_code == 201, queued.text
        wait_for(lambda: coupa.received, seconds=15, what="the confirmation at the platform")
        assert [r.kind for r in coupa.received] == ["ConfirmationRequest"]
    finally:
        os.killpg(launcher.pid, signal.SIGINT)  # Ctrl-C: SIGINT to the foreground group
        try:
            output, _ = launcher.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            output, _ = launcher.communicate()
    assert "login: admin / " in output, output[-3000:]

    def survivors() -> list[str]:
        found = subprocess.run(
            ["pgrep", "-a", "-f", f"port {api_port}|port:{airflow_port}|{var}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return found.stdout.splitlines()

    deadline = time.monotonic() + 20
    while survivors() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert survivors() == []
