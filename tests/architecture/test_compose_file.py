"""docker-compose.yml is validated by a real Compose v2 binary (`docker compose config`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import compose

from tests.support.paths import REPO_ROOT

BINARY = Path(compose.__file__).parent / "docker-compose"


def compose_config(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the bundled binary (not the package's Python wrapper, which always exits 0)."""
    return subprocess.run(
        [str(BINARY), "-f", str(path), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DOCKER_CONFIG": str(path.parent / ".docker")},
    )


def test_compose_file_is_valid() -> None:
    result = compose_config(REPO_ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stderr


def test_the_validator_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = (
        (REPO_ROOT / "docker-compose.yml")
        .read_text()
        .replace("condition: service_healthy", "condition: when_it_feels_like_it")
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = compose_config(tmp_path / "docker-compose.yml")
    assert result.returncode != 0
