"""Connector core: contract, registry and the one error tree."""

from __future__ import annotations

from connectors.core.contract import (
    Capability,
    Clock,
    Connector,
    ConnectorContext,
    ConnectorSpec,
    system_clock,
)
from connectors.core.errors import (
    AuthenticityError,
    AuthError,
    ConfigError,
    ConnectorError,
    DocumentError,
    MalformedDocumentError,
    PermanentError,
    RateLimitedError,
    RejectedByPartnerError,
    TransientError,
    UnsafeDocumentError,
    UnsupportedDocumentError,
)
from connectors.core.registry import ENTRY_POINT_GROUP, connector_keys, load_connector

__all__ = [
    "ENTRY_POINT_GROUP",
    "AuthError",
    "AuthenticityError",
    "Capability",
    "Clock",
    "ConfigError",
    "Connector",
    "ConnectorContext",
    "ConnectorError",
    "ConnectorSpec",
    "DocumentError",
    "MalformedDocumentError",
    "PermanentError",
    "RateLimitedError",
    "RejectedByPartnerError",
    "TransientError",
    "UnsafeDocumentError",
    "UnsupportedDocumentError",
    "connector_keys",
    "load_connector",
    "system_clock",
]
