"""docker-compose.yml, as the real Compose v2 binary resolves it (`docker compose config`), for
the default deployment (LocalExecutor) and the `celery` profile: the services each one runs,
health checks, loopback-only ports, one-shot steps awaited to completion, the partner mappings
mounted read-only, one set of Airflow secrets, and no start without the secrets."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import compose
import pytest

from tests.support.paths import REPO_ROOT

BINARY = Path(compose.__file__).parent / "docker-compose"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
TOKEN = "correct-horse-battery-staple-42"

# What `.env` must hold (the file refuses to resolve without each one).
SECRETS = {
    "B2CONNECT_ADMIN_TOKEN": TOKEN,
    "POSTGRES_PASSWORD": "superuser-password-1",
    "B2CONNECT_DB_PASSWORD": "gateway-password-2",
    "AIRFLOW_DB_PASSWORD": "airflow-password-3",
    "AIRFLOW_JWT_SECRET": "jwt-secret-4",
    "AIRFLOW_API_SECRET_KEY": "api-secret-key-5",
    "AIRFLOW_FERNET_KEY": "fernet-key-6",
    "AIRFLOW_ADMIN_PASSWORD": "admin-password-7",
}
CELERY = {"COMPOSE_PROFILES": "celery", "AIRFLOW_EXECUTOR": "CeleryExecutor"}

ONE_SHOTS = {"gateway-migrate", "airflow-init"}
AIRFLOW_COMPONENTS = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}
DEFAULT_SERVICES = {"postgres", "api", "worker", *ONE_SHOTS, *AIRFLOW_COMPONENTS}
CELERY_SERVICES = {*DEFAULT_SERVICES, "redis", "airflow-worker"}
MAPPINGS_TARGET = "/srv/b2connect/mappings"


def compose_config(
    path: Path, *extra: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the bundled binary (not the package's Python wrapper, which always exits 0) with only
    `env` for the variables: none from this process, none from a developer's `.env`."""
    ours = ("B2CONNECT_", "AIRFLOW", "POSTGRES_", "COMPOSE_")
    environ = {name: value for name, value in os.environ.items() if not name.startswith(ours)}
    empty = path.parent / ".docker" / "empty.env"
    empty.parent.mkdir(exist_ok=True)
    empty.write_text("")
    return subprocess.run(
        [str(BINARY), "-f", str(path), "--env-file", str(empty), "config", *extra],
        capture_output=True,
        text=True,
        check=False,
        env={
            **environ,
            "DOCKER_CONFIG": str(path.parent / ".docker"),
            "B2CONNECT_ENV_FILE": str(empty.parent / "no-such.env"),
            **(env or {}),
        },
    )


def resolved(**env: str) -> dict[str, Any]:
    """The resolved model (`config --format json`) with the secrets set and `env` on top."""
    result = compose_config(COMPOSE_FILE, "--format", "json", env={**SECRETS, **env})
    assert result.returncode == 0, result.stderr
    model: dict[str, Any] = json.loads(result.stdout)
    return model


def services(**env: str) -> dict[str, dict[str, Any]]:
    """The services of the resolved model."""
    found: dict[str, dict[str, Any]] = resolved(**env)["services"]
    return found


PROFILES = [pytest.param({}, id="default"), pytest.param(CELERY, id="celery")]


@pytest.mark.parametrize("profile", PROFILES)
def test_the_compose_file_is_valid(profile: dict[str, str]) -> None:
    result = compose_config(COMPOSE_FILE, "-q", env={**SECRETS, **profile})
    assert result.returncode == 0, result.stderr


def test_the_validator_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = COMPOSE_FILE.read_text().replace(
        "condition: service_healthy", "condition: when_it_feels_like_it"
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    (tmp_path / "deploy").symlink_to(REPO_ROOT / "deploy")
    result = compose_config(tmp_path / "docker-compose.yml", "-q", env=SECRETS)
    assert result.returncode != 0


def test_each_profile_runs_its_services() -> None:
    assert set(services()) == DEFAULT_SERVICES
    assert set(services(**CELERY)) == CELERY_SERVICES
    assert set(services(COMPOSE_PROFILES="celery")) == CELERY_SERVICES


@pytest.mark.parametrize("profile", PROFILES)
def test_every_long_running_service_has_a_health_check(profile: dict[str, str]) -> None:
    for name, service in services(**profile).items():
        if name in ONE_SHOTS:
            assert service.get("restart", "no") == "no", name
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test, f"{name} has no health check"
        assert test[0] in {"CMD", "CMD-SHELL"}, (name, test)
        assert service.get("restart") == "unless-stopped", name


@pytest.mark.parametrize("profile", PROFILES)
def test_dependencies_wait_for_one_shots_to_succeed_and_for_the_rest_to_be_healthy(
    profile: dict[str, str],
) -> None:
    resolved_services = services(**profile)
    for name, service in resolved_services.items():
        for dependency, how in service.get("depends_on", {}).items():
            expected = (
                "service_completed_successfully" if dependency in ONE_SHOTS else "service_healthy"
            )
            assert how["condition"] == expected, (name, dependency, how)
            if how.get("required", True):
                assert dependency in resolved_services, (name, dependency)
    for name in ("api", "worker"):
        assert "gateway-migrate" in resolved_services[name]["depends_on"]
    for name in AIRFLOW_COMPONENTS:
        # DAG tasks use the gateway's tables: both schemas are migrated first.
        assert {"airflow-init", "gateway-migrate"} <= set(resolved_services[name]["depends_on"])


@pytest.mark.parametrize("profile", PROFILES)
def test_only_the_api_and_the_airflow_ui_are_published_and_on_loopback(
    profile: dict[str, str],
) -> None:
    published = {}
    for name, service in services(**profile).items():
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", (name, port)
            published[name] = (port["published"], port["target"])
    assert published == {"api": ("8000", 8000), "airflow-apiserver": ("8080", 8080)}
    moved = services(B2CONNECT_API_PORT="18000", AIRFLOW_PORT="18080", **profile)
    assert moved["api"]["ports"][0]["published"] == "18000"
    assert moved["api"]["ports"][0]["host_ip"] == "127.0.0.1"
    assert moved["airflow-apiserver"]["ports"][0]["published"] == "18080"


@pytest.mark.parametrize("profile", PROFILES)
def test_partner_mappings_are_mounted_read_only_where_the_hub_runs(
    profile: dict[str, str],
) -> None:
    resolved_services = services(**profile)
    readers = {"api", "worker", *AIRFLOW_COMPONENTS}
    if profile:
        readers.add("airflow-worker")
    for name in readers:
        service = resolved_services[name]
        mounts = [v for v in service.get("volumes", []) if v["target"] == MAPPINGS_TARGET]
        assert len(mounts) == 1, name
        assert mounts[0]["type"] == "bind", name
        assert mounts[0]["read_only"] is True, name
        assert Path(mounts[0]["source"]) == REPO_ROOT / "mappings", name
        assert service["environment"]["B2CONNECT_MAPPINGS_DIR"] == MAPPINGS_TARGET, name


def test_the_mappings_come_from_b2connect_mappings_dir_when_set(tmp_path: Path) -> None:
    for name, service in services(B2CONNECT_MAPPINGS_DIR=str(tmp_path)).items():
        for volume in service.get("volumes", []):
            if volume["target"] == MAPPINGS_TARGET:
                assert volume["source"] == str(tmp_path), name
                assert volume["read_only"] is True, name
        if "B2CONNECT_MAPPINGS_DIR" in service.get("environment", {}):
            # The host path never leaks in as the container's path.
            assert service["environment"]["B2CONNECT_MAPPINGS_DIR"] == MAPPINGS_TARGET, name


@pytest.mark.parametrize("profile", PROFILES)
def test_every_airflow_component_shares_one_configuration(profile: dict[str, str]) -> None:
    resolved_services = services(**profile)
    components = AIRFLOW_COMPONENTS | {"airflow-init"} | ({"airflow-worker"} if profile else set())
    shared = {
        "AIRFLOW__API_AUTH__JWT_SECRET": SECRETS["AIRFLOW_JWT_SECRET"],
        "AIRFLOW__API__SECRET_KEY": SECRETS["AIRFLOW_API_SECRET_KEY"],
        "AIRFLOW__CORE__FERNET_KEY": SECRETS["AIRFLOW_FERNET_KEY"],
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": (
            f"postgresql+psycopg2://airflow:{SECRETS['AIRFLOW_DB_PASSWORD']}@postgres:5432/airflow"
        ),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://airflow-apiserver:8080/execution/",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "true",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "false",
        # DAG tasks call the gateway in-process: its database and production settings.
        "B2CONNECT_DATABASE_URL": (
            f"postgresql+psycopg://b2connect:{SECRETS['B2CONNECT_DB_PASSWORD']}"
            "@postgres:5432/b2connect"
        ),
        "B2CONNECT_ENVIRONMENT": "production",
        "B2CONNECT_ADMIN_TOKEN": TOKEN,
    }
    for name in components:
        environment = resolved_services[name]["environment"]
        assert {key: environment.get(key) for key in shared} == shared, name
    images = {resolved_services[name]["image"] for name in components | {"api", "worker"}}
    assert len(images) == 1, images


def test_the_executor_follows_the_profile() -> None:
    default = services()
    celery = services(**CELERY)
    for name in AIRFLOW_COMPONENTS:
        assert default[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert celery[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert celery["airflow-worker"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert celery["airflow-worker"]["command"] == ["airflow", "celery", "worker"]
    assert celery["airflow-worker"]["depends_on"]["redis"]["required"] is True
    broker = celery["airflow-scheduler"]["environment"]["AIRFLOW__CELERY__BROKER_URL"]
    assert broker == "redis://redis:6379/0"


def test_celery_workers_can_be_scaled() -> None:
    worker = services(**CELERY)["airflow-worker"]
    # A container name or a published port would make `--scale airflow-worker=N` fail.
    assert "container_name" not in worker
    assert not worker.get("ports")
    assert not services(**CELERY)["redis"].get("ports")


def test_the_postgres_init_script_creates_the_databases_the_urls_name() -> None:
    resolved_services = services()
    postgres = resolved_services["postgres"]
    init = [
        v for v in postgres["volumes"] if v["target"].startswith("/docker-entrypoint-initdb.d/")
    ]
    assert len(init) == 1
    assert init[0]["read_only"] is True
    script = Path(init[0]["source"]).read_text()
    assert "CREATE DATABASE b2connect OWNER b2connect;" in script
    assert "CREATE DATABASE airflow OWNER airflow;" in script
    assert postgres["environment"]["B2CONNECT_DB_PASSWORD"] == SECRETS["B2CONNECT_DB_PASSWORD"]
    assert postgres["environment"]["AIRFLOW_DB_PASSWORD"] == SECRETS["AIRFLOW_DB_PASSWORD"]


@pytest.mark.parametrize("variable", sorted(SECRETS))
def test_it_does_not_start_without_each_secret(variable: str) -> None:
    for value in (None, ""):
        env = {name: v for name, v in SECRETS.items() if name != variable}
        if value is not None:
            env[variable] = value
        for profile in ({}, CELERY):
            result = compose_config(COMPOSE_FILE, "-q", env={**env, **profile})
            assert result.returncode != 0, (variable, value, profile)
            assert f"set {variable}" in result.stderr, result.stderr


def test_it_runs_in_production_without_demo_partners_unless_asked() -> None:
    api = services()["api"]
    assert api["environment"]["B2CONNECT_ENVIRONMENT"] == "production"
    assert api["environment"]["B2CONNECT_DEMO_PARTNERS"] == "false"
    assert api["environment"]["B2CONNECT_ADMIN_TOKEN"] == TOKEN
    asked = services(B2CONNECT_ENVIRONMENT="development", B2CONNECT_DEMO_PARTNERS="true")
    for name in ("api", "worker", "airflow-scheduler"):
        assert asked[name]["environment"]["B2CONNECT_ENVIRONMENT"] == "development"
        assert asked[name]["environment"]["B2CONNECT_DEMO_PARTNERS"] == "true"


def test_the_env_file_brings_partner_secrets_and_airflow_connections(tmp_path: Path) -> None:
    connection = '{"conn_type": "generic", "password": "s3cret", "extra": {"ACME_KEY": "k"}}'
    env_file = tmp_path / "partners.env"
    env_file.write_text(
        "COUPA_ACME_SHARED_SECRET=partner-secret\n"
        f"AIRFLOW_CONN_B2CONNECT_COUPA_ACME='{connection}'\n"
        "B2CONNECT_MAPPINGS_DIR=/somewhere/on/the/host\n"
    )
    resolved_services = services(B2CONNECT_ENV_FILE=str(env_file))
    for name in {"api", "worker", *AIRFLOW_COMPONENTS}:
        environment = resolved_services[name]["environment"]
        assert environment["COUPA_ACME_SHARED_SECRET"] == "partner-secret", name
        assert json.loads(environment["AIRFLOW_CONN_B2CONNECT_COUPA_ACME"]) == json.loads(
            connection
        )
        assert environment["B2CONNECT_MAPPINGS_DIR"] == MAPPINGS_TARGET, name
    assert "COUPA_ACME_SHARED_SECRET" not in resolved_services["postgres"]["environment"]


def test_the_worker_health_check_reads_the_worker_heartbeat() -> None:
    worker = services()["worker"]
    assert worker["command"] == ["b2connect", "worker"]
    assert worker["healthcheck"]["test"] == ["CMD", "b2connect", "worker", "--check"]
    heartbeat = worker["environment"]["B2CONNECT_WORKER_HEARTBEAT"]
    assert heartbeat.startswith("/app/var/")


def test_the_image_installs_the_constraints_and_runs_unprivileged() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "-c constraints/py3.11.txt" in dockerfile
    assert "COPY dags ./dags" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users
    assert users[-1] not in {"root", "0"}
    # Every extra the image installs exists (pip only warns about a missing one) and the Celery
    # provider of the `celery` profile is pinned like everything else.
    installed = re.search(r"'\.\[([a-z,]+)\]'", dockerfile)
    assert installed is not None
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert set(installed.group(1).split(",")) == {"airflow", "celery"}
    assert set(installed.group(1).split(",")) <= set(extras)
    constraints = (REPO_ROOT / "constraints" / "py3.11.txt").read_text()
    assert "apache-airflow-providers-celery==" in constraints


def test_the_secrets_file_is_neither_committed_nor_sent_to_the_image_build() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=REPO_ROOT, check=False, capture_output=True
    )
    assert ignored.returncode == 0, ".env is not git-ignored"
    dockerignore = (REPO_ROOT / ".dockerignore").read_text().split()
    assert ".env" in dockerignore
