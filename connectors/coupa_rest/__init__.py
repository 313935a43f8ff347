"""Coupa purchase orders pulled over the Core REST API (OAuth2 client credentials)."""

from __future__ import annotations

from connectors.coupa_rest.connector import CoupaRestConfig, CoupaRestConnector

__all__ = ["CoupaRestConfig", "CoupaRestConnector"]
