"""Connector registry over the `b2connect.connectors` entry-point group.

Listing keys reads package metadata only; a connector module is imported when it is first
loaded. Adding a connector therefore means adding a package and an entry point, and touches no
core file.
"""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint, entry_points
from typing import cast

from connectors.core.contract import Connector, ConnectorSpec
from connectors.core.errors import ConfigError

ENTRY_POINT_GROUP = "b2connect.connectors"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def connector_keys() -> list[str]:
    """Registered connector keys, sorted, without importing any connector."""
    return sorted(_entry_points())


@functools.cache
def load_connector(key: str) -> type[Connector]:
    """The connector class registered under `key`; `ConfigError` if there is none."""
    points = _entry_points()
    if key not in points:
        known = ", ".join(sorted(points)) or "none"
        msg = f"no connector registered under {key!r} (registered: {known})"
        raise ConfigError(msg)
    loaded: object = points[key].load()
    spec = getattr(loaded, "spec", None)
    if not isinstance(loaded, type) or not isinstance(spec, ConnectorSpec):
        msg = f"entry point {key!r} does not name a connector class"
        raise ConfigError(msg)
    if spec.key != key:
        msg = f"connector {loaded.__name__} declares key {spec.key!r}, registered as {key!r}"
        raise ConfigError(msg)
    return cast("type[Connector]", loaded)
