"""The error of an amount the DTD allows but nobody can read."""

from __future__ import annotations

from connectors.core.errors import MalformedDocumentError


class UnreadableAmountError(MalformedDocumentError):
    """A `Money` whose free text (`#PCDATA` in the DTD) is no amount: empty, or not a number.

    The document is valid cXML, so it must not be refused (SAP Ariba does not resend after a
    4xx): the connector holds it as a mapping problem, for a person to fix and replay.
    """


__all__ = ["UnreadableAmountError"]
