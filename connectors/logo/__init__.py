"""LOGO ERP (Tiger, GO): sales orders in, items, prices, stock and delivery notes out, over the
on-premises LOGO REST service."""

from __future__ import annotations

from connectors.logo.config import LogoConfig
from connectors.logo.connector import LogoConnector

__all__ = ["LogoConfig", "LogoConnector"]
