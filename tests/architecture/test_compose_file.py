"""docker-compose.yml is validated by a real Compose v2 binary (`docker compose config`), and
its defaults are safe: published on loopback only, production, a required admin token, no demo
partners unless asked."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import compose

from tests.support.paths import REPO_ROOT

BINARY = Path(compose.__file__).parent / "docker-compose"
TOKEN = "correct-horse-battery-staple-42"


def compose_config(
    path: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the bundled binary (not the package's Python wrapper, which always exits 0)."""
    environ = {
        name: value for name, value in os.environ.items() if not name.startswith("B2CONNECT_")
    }
    return subprocess.run(
        [str(BINARY), "-f", str(path), "config", *extra],
        capture_output=True,
        text=True,
        check=False,
        env={**environ, "DOCKER_CONFIG": str(path.parent / ".docker"), **(env or {})},
    )


def _resolved(env: dict[str, str]) -> dict[str, Any]:
    result = compose_config(REPO_ROOT / "docker-compose.yml", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = json.loads(result.stdout)
    return resolved


def test_compose_file_is_valid() -> None:
    result = compose_config(
        REPO_ROOT / "docker-compose.yml", "-q", env={"B2CONNECT_ADMIN_TOKEN": TOKEN}
    )
    assert result.returncode == 0, result.stderr


def test_the_validator_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = (
        (REPO_ROOT / "docker-compose.yml")
        .read_text()
        .replace("condition: service_healthy", "condition: when_it_feels_like_it")
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = compose_config(
        tmp_path / "docker-compose.yml", "-q", env={"B2CONNECT_ADMIN_TOKEN": TOKEN}
    )
    assert result.returncode != 0


def test_it_does_not_start_without_an_admin_token() -> None:
    for env in ({}, {"B2CONNECT_ADMIN_TOKEN": ""}):
        result = compose_config(REPO_ROOT / "docker-compose.yml", "-q", env=env)
        assert result.returncode != 0
        assert "set B2CONNECT_ADMIN_TOKEN" in result.stderr


def test_the_gateway_is_published_on_loopback_only() -> None:
    services = _resolved({"B2CONNECT_ADMIN_TOKEN": TOKEN})["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", (name, port)
    assert services["gateway"]["ports"]


def test_it_runs_in_production_without_demo_partners_unless_asked() -> None:
    gateway = _resolved({"B2CONNECT_ADMIN_TOKEN": TOKEN})["services"]["gateway"]
    assert gateway["environment"]["B2CONNECT_ENVIRONMENT"] == "production"
    assert gateway["environment"]["B2CONNECT_DEMO_PARTNERS"] == "false"
    assert gateway["environment"]["B2CONNECT_ADMIN_TOKEN"] == TOKEN
    asked = _resolved(
        {
            "B2CONNECT_ADMIN_TOKEN": TOKEN,
            "B2CONNECT_ENVIRONMENT": "development",
            "B2CONNECT_DEMO_PARTNERS": "true",
        }
    )["services"]["gateway"]["environment"]
    assert asked["B2CONNECT_ENVIRONMENT"] == "development"
    assert asked["B2CONNECT_DEMO_PARTNERS"] == "true"
