"""Yurtici Kargo shipments (book, cancel, track) over its SOAP web service, WSDL-driven."""

from __future__ import annotations

from connectors.yurtici.config import YurticiConfig
from connectors.yurtici.connector import YurticiConnector

__all__ = ["YurticiConfig", "YurticiConnector"]
