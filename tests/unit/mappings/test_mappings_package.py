"""The package's shape: a tested facade, and the dependency rule (schemas, pydantic, PyYAML and
the standard library only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import mappings.engine
from mappings.engine import default_mappings_root

ALLOWED_THIRD_PARTY = {"pydantic", "yaml", "schemas", "mappings"}


def test_facade_exports_exactly_its_public_names() -> None:
    exported = mappings.engine.__all__
    assert exported == sorted(exported)
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert getattr(mappings.engine, name, None) is not None, name
    public = {
        name
        for name, value in vars(mappings.engine).items()
        if not name.startswith("_")
        and not isinstance(value, type(mappings.engine))
        and name != "annotations"
    }
    assert public == set(exported)


def test_mappings_imports_only_what_the_dependency_rule_allows() -> None:
    allowed = ALLOWED_THIRD_PARTY | set(sys.stdlib_module_names)
    offenders = []
    for path in sorted(default_mappings_root().rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert offenders == []


def test_importing_the_engine_pulls_in_nothing_heavy() -> None:
    code = (
        "import sys, mappings.engine;"
        "heavy = {'fastapi', 'sqlalchemy', 'connectors', 'gateway_api', 'httpx', 'lxml',"
        " 'airflow'};"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(default_mappings_root()).parent,
    )
    assert result.stdout.strip() == "[]"
