"""JAGGAER passes the shared conformance suite with its demo DUNS identities."""

from __future__ import annotations

from connectors.jaggaer import JaggaerConnector
from connectors.testing.conformance import CxmlPlatformConformance, cxml_platform_config


class TestJaggaerConformance(CxmlPlatformConformance):
    connector_class = JaggaerConnector
    config = cxml_platform_config(
        "DUNS", buyer="123456789", supplier="987654321", sender="123456789"
    )
