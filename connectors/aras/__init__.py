"""Aras Kargo: book, cancel and track shipments over its SOAP services (hand-written envelopes)."""

from __future__ import annotations

from connectors.aras.config import ArasConfig
from connectors.aras.connector import ArasConnector

__all__ = ["ArasConfig", "ArasConnector"]
