"""Shared base of the cXML procurement platform connectors (Coupa, SAP Ariba, JAGGAER)."""

from __future__ import annotations

from connectors.cxml_platform.config import CredentialConfig, CxmlPlatformConfig
from connectors.cxml_platform.connector import CxmlPlatformConnector
from connectors.cxml_platform.ingress import CXML_INGRESS

__all__ = ["CXML_INGRESS", "CredentialConfig", "CxmlPlatformConfig", "CxmlPlatformConnector"]
