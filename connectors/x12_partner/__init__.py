"""ANSI X12 trading partners: purchase orders (850) in, functional acknowledgements back."""

from __future__ import annotations

from connectors.x12_partner.connector import X12PartnerConfig, X12PartnerConnector
from connectors.x12_partner.ingress import X12_INGRESS

__all__ = ["X12_INGRESS", "X12PartnerConfig", "X12PartnerConnector"]
