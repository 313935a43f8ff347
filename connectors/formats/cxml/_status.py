"""`CxmlStatus`: the code, text and message of a cXML `Response/Status`.

cXML reuses HTTP codes (SAP KB 188136; FriendsOfCXML adds 406, 409, 412, 417). Senders act on
the class: Coupa retries 5xx (5 times, hourly) and never retries 4xx, so answer 4xx for what
will not change by itself and 5xx only for transient trouble.
"""

from __future__ import annotations

from dataclasses import dataclass

STANDARD_TEXTS: dict[int, str] = {
    200: "OK",
    201: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    406: "Not Acceptable",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    417: "Expectation Failed",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
"""The `text` attribute we send for each code."""


@dataclass(frozen=True)
class CxmlStatus:
    """A cXML status: `code` and `text` attributes, `message` as the element content."""

    code: int
    text: str
    message: str = ""

    @classmethod
    def of(cls, code: int, message: str = "") -> CxmlStatus:
        """The status for `code` with its standard text (`"Status <code>"` if none is known)."""
        return cls(code, STANDARD_TEXTS.get(code, f"Status {code}"), message)

    @classmethod
    def ok(cls, message: str = "") -> CxmlStatus:
        """200: processed."""
        return cls.of(200, message)

    @classmethod
    def accepted(cls, message: str = "") -> CxmlStatus:
        """201: accepted, not yet processed; a StatusUpdateRequest will follow."""
        return cls.of(201, message)

    @classmethod
    def bad_request(cls, message: str) -> CxmlStatus:
        """400: parsed, but unacceptable as sent (malformed, unsupported, breaks a rule)."""
        return cls.of(400, message)

    @classmethod
    def unauthorized(cls, message: str) -> CxmlStatus:
        """401: the sender's credentials or shared secret were not accepted."""
        return cls.of(401, message)

    @classmethod
    def forbidden(cls, message: str) -> CxmlStatus:
        """403: authenticated, but not allowed to send this document here."""
        return cls.of(403, message)

    @classmethod
    def not_acceptable(cls, message: str) -> CxmlStatus:
        """406: the document is refused as unacceptable (e.g. unsafe XML)."""
        return cls.of(406, message)

    @classmethod
    def conflict(cls, message: str) -> CxmlStatus:
        """409: conflicts with the current state (a duplicate or out-of-order version)."""
        return cls.of(409, message)

    @classmethod
    def request_entity_too_large(cls, message: str) -> CxmlStatus:
        """413: the body exceeds the size we accept."""
        return cls.of(413, message)

    @classmethod
    def unsupported_media_type(cls, message: str) -> CxmlStatus:
        """415: not cXML (wrong content type or encoding)."""
        return cls.of(415, message)

    @classmethod
    def internal_server_error(cls, message: str = "") -> CxmlStatus:
        """500: our failure; the sender may retry."""
        return cls.of(500, message)

    @classmethod
    def service_unavailable(cls, message: str = "") -> CxmlStatus:
        """503: temporarily unable to process; the sender should retry later."""
        return cls.of(503, message)

    @property
    def is_success(self) -> bool:
        """2xx: the sender must not resend."""
        return 200 <= self.code < 300

    @property
    def is_retryable(self) -> bool:
        """5xx: the sender may resend the same document later."""
        return 500 <= self.code < 600
