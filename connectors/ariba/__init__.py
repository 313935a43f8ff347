"""ariba connector package; see README.md for its quirks and sources."""

from __future__ import annotations

from connectors.ariba.connector import AribaConnector

__all__ = ["AribaConnector"]
