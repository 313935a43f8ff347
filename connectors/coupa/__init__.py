"""coupa connector package; see README.md for its quirks and sources."""

from __future__ import annotations

from connectors.coupa.connector import CoupaConnector

__all__ = ["CoupaConnector"]
