"""Meta-test: every registered connector has a test class here that runs the shared suite.

Test modules are found and imported as modules (not grepped): a connector counts as tested when
a module `tests/connectors/test_*.py` defines a pytest-collected class (`Test*`) that inherits
`ConnectorConformance` and sets `connector_class` to that connector.
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

from connectors.core import connector_keys
from connectors.testing.conformance import ConnectorConformance

HERE = Path(__file__).resolve().parent


def conformance_tests(package: str, directory: Path) -> dict[str, list[str]]:
    """Connector key -> the test classes (`module.Class`) in `package` that run the suite."""
    found: dict[str, list[str]] = {}
    for module_info in sorted(pkgutil.iter_modules([str(directory)]), key=lambda m: m.name):
        if module_info.ispkg or not module_info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{package}.{module_info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, ConnectorConformance)
                and name.startswith("Test")
                and value.__module__ == module.__name__
                and getattr(value, "__test__", True)
                and hasattr(value, "connector_class")
            ):
                key = value.connector_class.spec.key
                found.setdefault(key, []).append(f"{module_info.name}.{name}")
    return found


def untested(registered: Iterable[str], tested: dict[str, list[str]]) -> list[str]:
    """Registered keys with no conformance test, sorted."""
    return sorted(set(registered) - set(tested))


def test_every_registered_connector_is_conformance_tested() -> None:
    tested = conformance_tests(__package__ or "tests.connectors", HERE)
    missing = untested(connector_keys(), tested)
    assert missing == [], (
        f"registered connectors without a conformance test in tests/connectors: {missing}; "
        "add a test_<key>.py with a Test* class inheriting the suite"
    )


def test_the_check_fails_for_an_untested_key() -> None:
    tested = conformance_tests(__package__ or "tests.connectors", HERE)
    assert untested([*connector_keys(), "acme"], tested) == ["acme"]


def test_discovery_counts_only_collected_subclasses_of_the_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain class, a non-Test base, an imported class or a disabled one does not count."""
    package = tmp_path / "conformance_probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "test_counts.py").write_text(
        textwrap.dedent(
            """
            from connectors.coupa import CoupaConnector
            from connectors.testing.conformance import CxmlPlatformConformance

            class TestCoupa(CxmlPlatformConformance):
                connector_class = CoupaConnector
            """
        )
    )
    (package / "test_does_not_count.py").write_text(
        textwrap.dedent(
            """
            from connectors.ariba import AribaConnector
            from connectors.jaggaer import JaggaerConnector
            from connectors.testing.conformance import CxmlPlatformConformance
            from conformance_probe_pkg.test_counts import TestCoupa

            class TestAribaWithoutTheSuite:
                connector_class = AribaConnector

            class AribaSuite(CxmlPlatformConformance):
                connector_class = AribaConnector

            class TestJaggaerDisabled(CxmlPlatformConformance):
                __test__ = False
                connector_class = JaggaerConnector
            """
        )
    )
    (package / "helpers.py").write_text("raise AssertionError('not a test module')\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    tested = conformance_tests("conformance_probe_pkg", package)

    assert tested == {"coupa": ["test_counts.TestCoupa"]}
    assert untested(["ariba", "coupa", "jaggaer"], tested) == ["ariba", "jaggaer"]
