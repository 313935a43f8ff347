"""The connector registry: keys from entry points without imports, classes loaded on demand."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

from connectors.core import ENTRY_POINT_GROUP, ConfigError, connector_keys, load_connector, registry
from tests.support.paths import REPO_ROOT

SHIPPED = {"ariba", "coupa", "jaggaer"}

_PROBE = """
import json, sys
from connectors.core import connector_keys, load_connector
keys = connector_keys()
for key in sys.argv[1:]:
    load_connector(key)
watched = ("connectors.coupa", "connectors.ariba", "connectors.jaggaer",
           "connectors.cxml_platform", "connectors.formats", "lxml")
imported = sorted(m for m in sys.modules if m.startswith(watched))
print(json.dumps({"keys": keys, "imported": imported}))
"""


def _probe(*load: str) -> dict[str, list[str]]:
    """Keys and imported connector modules, seen from a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *load],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, list[str]] = json.loads(result.stdout)
    return seen


@pytest.fixture
def fresh_registry_cache() -> Iterator[None]:
    load_connector.cache_clear()
    yield
    load_connector.cache_clear()


def test_shipped_connectors_are_registered_in_order() -> None:
    keys = connector_keys()
    assert set(keys) >= SHIPPED
    assert keys == sorted(keys)


def test_unknown_key_is_a_config_error_naming_the_known_keys() -> None:
    with pytest.raises(ConfigError) as info:
        load_connector("no-such-connector")
    message = str(info.value)
    assert "'no-such-connector'" in message
    for key in connector_keys():
        assert key in message


def test_keys_are_listed_without_importing_any_connector() -> None:
    seen = _probe()
    assert set(seen["keys"]) >= SHIPPED
    assert seen["imported"] == []


def test_the_import_probe_sees_a_loaded_connector() -> None:
    """The probe above can fail: loading one connector imports it, and only it."""
    imported = _probe("coupa")["imported"]
    assert "connectors.coupa" in imported
    assert "connectors.ariba" not in imported
    assert "connectors.jaggaer" not in imported


@pytest.mark.usefixtures("fresh_registry_cache")
def test_an_entry_point_must_carry_the_connector_s_own_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    point = EntryPoint("acme", "connectors.coupa:CoupaConnector", ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: {"acme": point})
    with pytest.raises(ConfigError, match="declares key 'coupa', registered as 'acme'"):
        load_connector("acme")


@pytest.mark.usefixtures("fresh_registry_cache")
def test_an_entry_point_must_name_a_connector_class(monkeypatch: pytest.MonkeyPatch) -> None:
    point = EntryPoint("acme", "connectors.core.errors:ConfigError", ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: {"acme": point})
    with pytest.raises(ConfigError, match="does not name a connector class"):
        load_connector("acme")
