"""A real Airflow api-server with the hub plugin, over a seeded gateway database, and a headless
Chromium to drive it.

The api-server runs as a subprocess on 127.0.0.1 (free port) with its own AIRFLOW_HOME and SQLite
metadata database, SimpleAuthManager with a known password, and the plugins folder of this
repository; the gateway settings point it at a SQLite database this process migrated and seeded
through the real services. Everything is started once per module and stopped by process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gateway_api.runtime import Runtime, build_runtime
from gateway_api.settings import Settings
from tests.airflow_ui.browser import CHROMIUM, Browser
from tests.airflow_ui.seed import Seeded, seed
from tests.support.database import migrated_sqlite_template, sqlite_copy
from tests.support.paths import MAPPINGS_DIR, REPO_ROOT

REQUIRE_BROWSER_VAR = "B2CONNECT_REQUIRE_BROWSER"
PASSWORD = "hub-test-password"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class AirflowSite:
    """The running api-server, a signed-in token, and the gateway data behind it."""

    url: str
    token: str
    runtime: Runtime
    seeded: Seeded
    mappings_dir: Path

    @property
    def hub(self) -> str:
        """Where the plugin mounts the hub's pages."""
        return f"{self.url}/b2connect"


@pytest.fixture(scope="module")
def chromium_path() -> Path:
    """Debian's Chromium; a failure, not a skip, when `make test` requires it."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh"
    if os.environ.get(REQUIRE_BROWSER_VAR) == "1":
        pytest.fail(f"{message} ({REQUIRE_BROWSER_VAR}=1)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def airflow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowSite]:
    """Seed the gateway database, migrate Airflow's, start the api-server, sign in."""
    root = tmp_path_factory.mktemp("airflow-ui")
    database_url = sqlite_copy(migrated_sqlite_template(root), root)
    mappings_dir = root / "mappings"
    shutil.copytree(
        MAPPINGS_DIR, mappings_dir, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    runtime = build_runtime(
        Settings(database_url=database_url, mappings_dir=mappings_dir, profile_recheck_seconds=0)
    )
    runtime.sync_partners()
    seeded = seed(runtime)

    env = _airflow_env(root / "airflow-home", database_url, mappings_dir)
    subprocess.run(
        ["airflow", "db", "migrate"], env=env, check=True, capture_output=True, timeout=120
    )
    port = _free_port()
    log = (root / "api-server.log").open("wb")
    server = subprocess.Popen(
        ["airflow", "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, root / "api-server.log")
        answer = httpx.post(
            f"{url}/auth/token", json={"username": "admin", "password": PASSWORD}, timeout=10
        )
        answer.raise_for_status()
        yield AirflowSite(url, answer.json()["access_token"], runtime, seeded, mappings_dir)
    finally:
        _stop(server)
        log.close()
        runtime.close()


@pytest.fixture(scope="module")
def browser(
    chromium_path: Path, airflow_site: AirflowSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """A headless Chromium signed in to Airflow (its `_token` cookie set over DevTools)."""
    driver = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        driver.set_cookie(airflow_site.url, "_token", airflow_site.token)
        yield driver
    finally:
        driver.close()


def _airflow_env(home: Path, database_url: str, mappings_dir: Path) -> dict[str, str]:
    home.mkdir()
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({"admin": PASSWORD}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "B2CONNECT_"))}
    env.update(
        {
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "dags" / "plugins"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__API__SECRET_KEY": "hub-test-secret-key",
            "AIRFLOW__API_AUTH__JWT_SECRET": "hub-test-jwt-secret-of-enough-length",
            "B2CONNECT_DATABASE_URL": database_url,
            "B2CONNECT_MAPPINGS_DIR": str(mappings_dir),
            "B2CONNECT_PROFILE_RECHECK_SECONDS": "0",
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"airflow api-server exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/v2/version", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"airflow api-server did not answer in 60 s: {log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the api-server's process group (it forks its workers), by its id."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
