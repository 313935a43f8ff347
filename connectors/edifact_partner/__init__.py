"""UN/EDIFACT trading partners (D96A, D01B, EANCOM): ORDERS in, ORDRSP/DESADV/INVOIC out,
CONTRL both ways, APERAK in."""

from __future__ import annotations

from connectors.edifact_partner.connector import EdifactPartnerConfig, EdifactPartnerConnector
from connectors.edifact_partner.ingress import EDIFACT_INGRESS

__all__ = ["EDIFACT_INGRESS", "EdifactPartnerConfig", "EdifactPartnerConnector"]
