"""ANSI X12 trading partners: purchase orders (850) in, functional acknowledgements back."""

from __future__ import annotations

from connectors.x12_partner.connector import (
    FILE_DROP_URL,
    X12PartnerConfig,
    X12PartnerConnector,
)

__all__ = ["FILE_DROP_URL", "X12PartnerConfig", "X12PartnerConnector"]
