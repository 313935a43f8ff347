"""Turning bytes into document-log records: hashing, redaction, audit truncation.

The log keeps what partners sent byte for byte, with one exception: secrets a document carries
(a cXML SharedSecret, say) are masked before storage, because a database of raw documents must not
become a database of partner passwords. Which parts are secret is the protocol's business: the
caller passes the connector's redacted copy (`Ingress.redact`, `OutboundMessage.log_body`).
`sha256` is taken over the bytes as received, so the stored copy can still be tied to what
arrived on the wire.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID, uuid4

from gateway_api.store.records import DocumentOutcome, DocumentRecord

AUDIT_BODY_LIMIT = 64 * 1024
"""Bytes kept of a document whose sender was not authenticated (enough to diagnose, too little
to let strangers fill the database)."""


def inbound_record(
    body: bytes,
    *,
    partner_key: str | None,
    protocol: str,
    kind: str,
    outcome: DocumentOutcome,
    status_code: int | None,
    at: datetime,
    authenticated: bool,
    payload_id: str | None = None,
    correlation_id: str | None = None,
    detail: str | None = None,
    content_type: str | None = None,
    remote_addr: str | None = None,
    declared_size: int | None = None,
    document_id: UUID | None = None,
    in_reply_to: UUID | None = None,
    redacted: bytes | None = None,
) -> DocumentRecord:
    """A log record of a document someone sent us (`in_reply_to`: the document of ours it
    answers, for a partner's answer to what we sent).

    `redacted` is the body with its secrets masked (the body itself when None). Unauthenticated
    bodies are cut to `AUDIT_BODY_LIMIT`; `declared_size` records the full size of a body we
    refused to read completely.
    """
    stored = body if redacted is None else redacted
    truncated = False
    if not authenticated and len(stored) > AUDIT_BODY_LIMIT:
        stored, truncated = stored[:AUDIT_BODY_LIMIT], True
    if declared_size is not None and declared_size > len(body):
        truncated = True
    return DocumentRecord(
        id=document_id or uuid4(),
        partner_key=_clip(partner_key, 64),  # as claimed in the URL, for refused documents
        direction="inbound",
        protocol=protocol,
        kind=kind,
        payload_id=_clip(payload_id),
        correlation_id=_clip(correlation_id),
        in_reply_to=in_reply_to,
        outcome=outcome,
        status_code=status_code,
        detail=detail,
        content_type=_clip(content_type, 100),
        size=declared_size if declared_size is not None else len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        body=stored,
        body_truncated=truncated,
        remote_addr=_clip(remote_addr, 64),
        created_at=at,
    )


def outbound_record(
    body: bytes,
    *,
    partner_key: str | None,
    protocol: str,
    kind: str,
    at: datetime,
    content_type: str | None,
    payload_id: str | None = None,
    correlation_id: str | None = None,
    in_reply_to: UUID | None = None,
    status_code: int | None = None,
    detail: str | None = None,
    document_id: UUID | None = None,
    redacted: bytes | None = None,
) -> DocumentRecord:
    """A log record of a document we sent (an answer or an outbound document); `redacted` is
    the body with its secrets masked, when it carries any."""
    return DocumentRecord(
        id=document_id or uuid4(),
        partner_key=partner_key,
        direction="outbound",
        protocol=protocol,
        kind=kind,
        payload_id=_clip(payload_id),
        correlation_id=_clip(correlation_id),
        in_reply_to=in_reply_to,
        outcome=DocumentOutcome.SENT,
        status_code=status_code,
        detail=detail,
        content_type=content_type,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        body=body if redacted is None else redacted,
        body_truncated=False,
        remote_addr=None,
        created_at=at,
    )


def reply_record(
    body: bytes,
    *,
    reply_to: DocumentRecord,
    kind: str,
    status_code: int,
    at: datetime,
    content_type: str,
    document_id: UUID | None = None,
) -> DocumentRecord:
    """A log record of our synchronous answer to `reply_to`."""
    return outbound_record(
        body,
        partner_key=reply_to.partner_key,
        protocol=reply_to.protocol,
        kind=kind,
        at=at,
        content_type=content_type,
        correlation_id=reply_to.correlation_id,
        in_reply_to=reply_to.id,
        status_code=status_code,
        document_id=document_id,
    )


def _clip(value: str | None, limit: int = 255) -> str | None:
    return None if value is None else value[:limit]
