"""The one error tree of the connector layer, classified once at the edge.

    ConnectorError                    base; never raised itself
    ├── TransientError                retry with backoff (5xx, timeouts, connection resets)
    │   └── RateLimitedError          retry after `retry_after` seconds (429 + Retry-After)
    ├── PermanentError                cannot succeed as sent: dead letter, the batch goes on
    │   ├── DocumentError             inbound bytes are not an acceptable document
    │   │   ├── MalformedDocumentError    not well-formed, not the protocol, breaks its rules
    │   │   ├── UnsafeDocumentError       DOCTYPE internal subset, entities, too deep, too large
    │   │   └── UnsupportedDocumentError  a kind or variant we do not handle
    │   └── RejectedByPartnerError    the partner answered with a permanent refusal (4xx)
    ├── AuthError                     our credentials were refused by the partner: fail fast, alert
    ├── ConfigError                   a profile or setting is wrong: refuse to start
    └── AuthenticityError             inbound sender could not be authenticated: reject, audit

The core maps these to answers in the sender's protocol (cXML status codes, 997, problem+json)
and to outbox decisions (retry, dead letter, stop); connectors never decide either.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error a connector or format raises on purpose."""


class TransientError(ConnectorError):
    """A failure that may pass by itself; the caller retries with backoff."""


class RateLimitedError(TransientError):
    """The partner asked us to slow down; retry no sooner than `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(ConnectorError):
    """This document cannot succeed as it is; retrying it unchanged is pointless."""


class DocumentError(PermanentError):
    """The inbound bytes are not an acceptable document.

    `location` names where in the document the problem is (an XPath-like path, a line number or a
    segment position) so the sender can find it.
    """

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.location = location

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} (at {self.location})" if self.location else base


class MalformedDocumentError(DocumentError):
    """Not well-formed, not the expected protocol, or breaks a rule the protocol states."""


class UnsafeDocumentError(DocumentError):
    """Refused for safety before interpretation: entity declarations, excessive depth or size."""


class UnsupportedDocumentError(DocumentError):
    """A well-formed document of a kind or variant this hub does not handle."""


class RejectedByPartnerError(PermanentError):
    """The partner refused our document for good (a cXML or HTTP 4xx); carries their status."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class AuthError(ConnectorError):
    """The partner refused our credentials; retrying will not help until someone fixes them."""


class ConfigError(ConnectorError):
    """A profile, credential reference or setting is missing or wrong; the hub must not start."""


class AuthenticityError(ConnectorError):
    """An inbound document's sender could not be authenticated or is not who it must be."""
