"""MNG Kargo (DHL eCommerce Türkiye): book, cancel and track shipments over the apizone REST API."""

from __future__ import annotations

from connectors.mng.config import MngConfig
from connectors.mng.connector import MngConnector

__all__ = ["MngConfig", "MngConnector"]
