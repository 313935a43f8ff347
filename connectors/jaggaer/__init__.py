"""jaggaer connector package; see README.md for its quirks and sources."""

from __future__ import annotations

from connectors.jaggaer.connector import JaggaerConnector

__all__ = ["JaggaerConnector"]
