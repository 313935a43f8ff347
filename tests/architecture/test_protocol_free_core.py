"""The core knows no protocol: connectors tell it what it needs as data.

Checked on every module of `gateway_api` except the demo (which plays the partners, so it builds
their documents) and the Alembic migrations (frozen history that converts old rows):

- it imports nothing from `connectors` but `connectors.core` (no formats, no connector classes,
  so no `isinstance` on them either);
- it branches on no protocol vocabulary: no comparison, membership test, `startswith`/`endswith`,
  `match` case or dict key with a protocol word (cXML, X12, EDIFACT, segment ids, transaction set
  numbers, document kinds, the old `file-drop:` pseudo URL).

The checker is shown to fail on each kind of violation.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

CORE = REPO_ROOT / "gateway_api"
EXEMPT = ("gateway_api/demo/", "gateway_api/store/migrations/")
ALLOWED_CONNECTOR_IMPORTS = re.compile(r"^connectors\.core(\.|$)")
PROTOCOL_WORDS = re.compile(
    r"""(?x)
    (?i:\b(c?xml|x12|edifact|eancom|orderrequest|sharedsecret|punchout)\b)
    | \b(ORDERS|ORDRSP|DESADV|INVOIC|CONTRL|APERAK|PRICAT|INVRPT)\b
    | \b(ISA|GS|ST|SE|GE|IEA|UNA|UNB|UNG|UNH|UNT|UNE|UNZ|AK[1-9]|TA1)\d{0,2}\b
    | \b(8[0-9]{2}|99[79])\b
    | file-drop:
    """
)


def _core_modules(root: Path) -> list[Path]:
    return sorted(
        path
        for path in (root / "gateway_api").rglob("*.py")
        if not path.relative_to(root).as_posix().startswith(EXEMPT)
    )


def _strings(node: ast.AST) -> list[str]:
    """String constants directly in `node` (a literal, or the items of a tuple/list/set)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for item in node.elts for s in _strings(item)]
    return []


def _branch_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Strings a module compares with, tests membership in, matches on, or keys a dict by."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                found.extend((node.lineno, s) for s in _strings(operand))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in {"startswith", "endswith"}:
                for argument in node.args:
                    found.extend((node.lineno, s) for s in _strings(argument))
        elif isinstance(node, ast.MatchValue):
            found.extend((node.lineno, s) for s in _strings(node.value))
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    found.extend((node.lineno, s) for s in _strings(key))
    return found


def violations(root: Path) -> list[str]:
    """Every protocol import or protocol branch in the core under `root`."""
    problems = []
    for path in _core_modules(root):
        relative = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            for module in modules:
                if module.split(".")[0] == "connectors" and not ALLOWED_CONNECTOR_IMPORTS.match(
                    module
                ):
                    problems.append(f"{relative}:{node.lineno} imports {module}")
        for line, text in _branch_strings(tree):
            if PROTOCOL_WORDS.search(text):
                problems.append(f"{relative}:{line} branches on {text!r}")
    return problems


def test_the_core_names_no_protocol() -> None:
    assert violations(REPO_ROOT) == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from connectors.formats.x12 import read_x12\n", "imports connectors.formats.x12"),
        ("import connectors.x12_partner\n", "imports connectors.x12_partner"),
        ("from connectors.cxml_platform import CxmlPlatformConnector\n", "imports"),
        ("def f(p):\n    return p.protocol == 'x12'\n", "branches on 'x12'"),
        ("def f(kind):\n    return kind in ('850', '855')\n", "branches on '850'"),
        ("def f(b):\n    return b.startswith(b'ISA') or b.startswith('ISA')\n", "'ISA'"),
        ("def f(url):\n    return url == 'file-drop:outbound'\n", "file-drop:"),
        ("def f(k):\n    match k:\n        case 'OrderRequest':\n            return 1\n", "Order"),
        ("TABLE = {'cxml': 1}\n", "branches on 'cxml'"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(
    tmp_path: Path, code: str, expected: str
) -> None:
    (tmp_path / "gateway_api" / "services").mkdir(parents=True)
    (tmp_path / "gateway_api" / "services" / "bad.py").write_text(code)
    problems = violations(tmp_path)
    assert any(expected in problem for problem in problems), problems


def test_the_exempt_folders_are_exempt(tmp_path: Path) -> None:
    (tmp_path / "gateway_api" / "demo").mkdir(parents=True)
    (tmp_path / "gateway_api" / "demo" / "script.py").write_text(
        "from connectors.formats.x12 import read_x12\n"
    )
    assert violations(tmp_path) == []
