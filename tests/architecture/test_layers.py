"""The dependency rule of ARCHITECTURE.md, checked on every import statement of every module.

schemas <- connectors, schemas <- mappings; gateway_api composes all three; dags call only
gateway_api. Only dags/ imports Airflow; only gateway_api/http (and the CLI's `serve`, which
starts uvicorn) touch FastAPI, Starlette or uvicorn.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

PACKAGES = ["schemas", "connectors", "mappings", "gateway_api", "dags"]
ALLOWED_FIRST_PARTY = {
    "schemas": {"schemas"},
    "connectors": {"schemas", "connectors"},
    "mappings": {"schemas", "mappings"},
    "gateway_api": {"schemas", "connectors", "mappings", "gateway_api"},
    "dags": {"gateway_api", "dags"},
}
FIRST_PARTY = set(PACKAGES)
WEB = {"fastapi", "starlette", "uvicorn"}
HEAVY_OUTSIDE_CORE = {"sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "uvicorn"}


def _modules(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _violations(package: str) -> list[str]:
    problems = []
    for path in _modules(package):
        relative = path.relative_to(REPO_ROOT).as_posix()
        for module, line in _imports(path):
            top = module.split(".")[0]
            if top in FIRST_PARTY and top not in ALLOWED_FIRST_PARTY[package]:
                problems.append(f"{relative}:{line} imports {module}")
            if top == "airflow" and package != "dags":
                problems.append(f"{relative}:{line} imports Airflow outside dags/")
            in_http = relative.startswith("gateway_api/http/") or relative == "gateway_api/cli.py"
            if top in WEB and not in_http:
                problems.append(f"{relative}:{line} imports {top} outside the HTTP layer")
            if top in HEAVY_OUTSIDE_CORE and package in {"schemas", "connectors", "mappings"}:
                problems.append(f"{relative}:{line} imports {top}: no storage or web here")
    return problems


@pytest.mark.parametrize("package", PACKAGES)
def test_package_respects_the_dependency_rule(package: str) -> None:
    assert _violations(package) == []


def test_the_rule_catches_a_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker itself must be able to fail."""
    fake_root = tmp_path
    (fake_root / "schemas").mkdir()
    (fake_root / "schemas" / "bad.py").write_text("import gateway_api.settings\nimport fastapi\n")
    monkeypatch.setattr(f"{__name__}.REPO_ROOT", fake_root)
    problems = _violations("schemas")
    assert any("imports gateway_api.settings" in p for p in problems)
    assert any("fastapi" in p for p in problems)


def test_importing_the_packages_builds_nothing_heavy() -> None:
    """No engine, HTTP client or settings at import time (checked in a fresh process)."""
    import subprocess
    import sys

    code = """
import sqlalchemy, httpx
built = []
real_create_engine, real_client_init = sqlalchemy.create_engine, httpx.Client.__init__
def create_engine(*args, **kwargs):
    built.append("engine")
    return real_create_engine(*args, **kwargs)
def client_init(self, *args, **kwargs):
    built.append("httpx.Client")
    real_client_init(self, *args, **kwargs)
sqlalchemy.create_engine = create_engine
httpx.Client.__init__ = client_init
import schemas, connectors.core, connectors.coupa, connectors.ariba, connectors.jaggaer
import mappings.engine, gateway_api.cli, gateway_api.runtime, gateway_api.http.app
import gateway_api.store.engine, gateway_api.settings as settings
assert settings.get_settings.cache_info().currsize == 0, "settings built at import"
assert built == [], built
# The spies work: building an engine is seen.
import os, tempfile
gateway_api.store.engine.build_engine("sqlite:///" + os.path.join(tempfile.mkdtemp(), "x.db"))
assert built == ["engine"], built
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
