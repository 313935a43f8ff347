"""cXML ingest: authenticate -> decode -> map -> apply -> answer, exactly once per payloadID.

The happy path is one transaction: the raw document, the order change, its history entry, the
idempotency key and our answer commit together. Any failure after authentication rolls that
back and commits, in a fresh transaction, the raw document with its outcome (rejected, or held
as a dead letter) and the answer. So a document that reached a committed answer is always in the
log, and a document that did not was never acknowledged and will be retransmitted by the
partner: nothing a partner sends is lost, and nothing is applied twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from connectors.core import (
    AuthenticityError,
    Clock,
    DocumentError,
    UnsupportedDocumentError,
)
from connectors.formats.cxml import (
    CxmlDocument,
    CxmlStatus,
    DtdValidator,
    build_response,
    new_payload_id,
)
from gateway_api.domain import OrderConflictError, UnknownOrderError
from gateway_api.services.document_log import inbound_record, reply_record
from gateway_api.services.order_intake import apply_order
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentOutcome,
    DocumentRecord,
)
from gateway_api.store.unit_of_work import UnitOfWork
from mappings.engine import MappingConfigError, MappingError, map_purchase_order
from schemas import Direction, Envelope, PurchaseOrder

logger = logging.getLogger(__name__)

PROTOCOL = "cxml"
IDEMPOTENCY_SCOPE = "cxml"
CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class CxmlAnswer:
    """What to send back: the cXML status and the bytes of the Response document."""

    status: CxmlStatus
    body: bytes
    document_id: UUID | None = None
    """Id of the inbound document in the log, when it was stored."""

    @property
    def http_status(self) -> int:
        """HTTP status carrying the answer: 200 for any 2xx cXML status, else the cXML code.

        Platforms such as Coupa decide on retries from the HTTP status (5xx: retry, 4xx: never),
        so a refusal must not hide behind HTTP 200.
        """
        return 200 if self.status.code < 300 else self.status.code


@dataclass(frozen=True)
class _Received:
    partner: Partner
    document: CxmlDocument
    body: bytes
    remote_addr: str | None
    content_type: str | None
    dtd_note: str | None = None
    """Set when DTD validation is on and the document deviates (it is still read tolerantly)."""


class CxmlIngestService:
    """Receives cXML documents for the partners of a `PartnerDirectory`."""

    def __init__(
        self,
        engine: Engine,
        directory: PartnerDirectory,
        *,
        clock: Clock,
        hostname: str,
        cxml_version: str,
        dtd_validator: DtdValidator | None = None,
    ) -> None:
        self._engine = engine
        self._dtd_validator = dtd_validator
        self._directory = directory
        self._clock = clock
        self._hostname = hostname
        self._cxml_version = cxml_version

    # -- entry points ---------------------------------------------------------------------

    def receive(
        self,
        partner_key: str,
        body: bytes,
        *,
        remote_addr: str | None = None,
        content_type: str | None = None,
    ) -> CxmlAnswer:
        """Handle one POSTed cXML document and return the answer to send."""
        partner = self._directory.get(partner_key)
        if partner is None:
            # Same words as a bad secret: do not reveal which partner keys exist.
            return self._refuse_unauthenticated(
                partner_key,
                body,
                CxmlStatus.unauthorized("unknown partner or invalid credentials"),
                remote_addr=remote_addr,
                content_type=content_type,
            )
        try:
            document = partner.connector.decode(body, default_tz=partner.timezone)
        except DocumentError as error:
            return self._refuse_unauthenticated(
                partner_key,
                body,
                CxmlStatus.bad_request(str(error)),
                remote_addr=remote_addr,
                content_type=content_type,
            )
        try:
            partner.connector.authenticate(document)
        except AuthenticityError as error:
            return self._refuse_unauthenticated(
                partner_key,
                body,
                CxmlStatus.unauthorized(str(error)),
                remote_addr=remote_addr,
                content_type=content_type,
                document=document,
            )
        received = _Received(
            partner, document, body, remote_addr, content_type, self._dtd_note(document)
        )
        try:
            return self._process(received)
        except DBAPIError:
            logger.exception(
                "database unavailable while processing %s from %s",
                document.payload_id,
                partner_key,
            )
            return self._bare_answer(
                partner, CxmlStatus.service_unavailable("temporarily unable to store; retry")
            )

    def refuse_oversized(
        self,
        partner_key: str,
        head: bytes,
        *,
        declared_size: int,
        limit: int,
        remote_addr: str | None = None,
        content_type: str | None = None,
    ) -> CxmlAnswer:
        """Answer 413 for a body over the limit, logging its first bytes as an audit trace."""
        status = CxmlStatus.request_entity_too_large(
            f"the body is {declared_size} bytes; this endpoint accepts at most {limit}"
        )
        return self._refuse_unauthenticated(
            partner_key,
            head,
            status,
            remote_addr=remote_addr,
            content_type=content_type,
            declared_size=declared_size,
        )

    # -- the authenticated path -----------------------------------------------------------

    def _process(self, received: _Received) -> CxmlAnswer:  # noqa: PLR0911 - one per outcome
        duplicate = self._answer_if_duplicate(received)
        if duplicate is not None:
            return duplicate
        partner, document = received.partner, received.document
        if (
            document.kind not in partner.profile.documents.inbound
            or document.kind not in partner.connector.spec.inbound_documents
        ):
            status = CxmlStatus.not_acceptable(
                f"{document.kind} is not accepted from this partner at this endpoint"
            )
            return self._refuse(received, status)
        try:
            order = partner.connector.read_order(document, default_tz=partner.timezone)
        except UnsupportedDocumentError as error:
            return self._refuse(received, CxmlStatus.not_acceptable(str(error)))
        except DocumentError as error:
            return self._refuse(received, CxmlStatus.bad_request(str(error)))
        try:
            return self._apply(received, order)
        except IntegrityError:
            # A concurrent twin (same payloadID, or a `new` for the same order) won the race.
            duplicate = self._answer_if_duplicate(received)
            if duplicate is not None:
                return duplicate
            return self._apply(received, order)

    def _apply(self, received: _Received, order: PurchaseOrder) -> CxmlAnswer:
        partner = received.partner
        try:
            mapping = self._directory.mapping(partner.key)
            mapped = map_purchase_order(order, mapping)
        except (MappingError, MappingConfigError) as error:
            reason = str(error)
            status = CxmlStatus.accepted(f"accepted and held for review: {reason}")
            return self._hold(received, order, stage="mapping", error=reason, status=status)
        now = self._clock()
        answer_body = partner.connector.answer(CxmlStatus.ok())
        inbound = self._inbound(received, DocumentOutcome.PROCESSED, 200, order.order_id)
        reply = reply_record(
            answer_body,
            reply_to=inbound,
            kind="Response",
            status_code=200,
            at=now,
            content_type=CONTENT_TYPE,
        )
        try:
            with UnitOfWork(self._engine) as uow:
                uow.documents.add(inbound, reply)
                apply_order(
                    uow,
                    Envelope[PurchaseOrder](
                        id=inbound.id,
                        connector=partner.profile.connector,
                        partner=partner.key,
                        direction=Direction.INBOUND,
                        partner_document_id=received.document.payload_id,
                        correlation_id=order.order_id,
                        timestamp=now,
                        mapping=mapping.references,
                        raw_document_id=inbound.id,
                        document=mapped,
                    ),
                )
                uow.idempotency.add(
                    partner.key,
                    IDEMPOTENCY_SCOPE,
                    received.document.payload_id,
                    document_id=inbound.id,
                    response_document_id=reply.id,
                    at=now,
                )
                uow.commit()
        except UnknownOrderError as error:
            reason = str(error)
            status = CxmlStatus.conflict(reason)
            return self._hold(received, order, stage="sequence", error=reason, status=status)
        except OrderConflictError as error:
            return self._refuse(received, CxmlStatus.conflict(str(error)))
        logger.info(
            "order %s from %s stored (payloadID %s)",
            order.order_id,
            partner.key,
            received.document.payload_id,
        )
        return CxmlAnswer(CxmlStatus.ok(), answer_body, inbound.id)

    # -- outcomes -------------------------------------------------------------------------

    def _answer_if_duplicate(self, received: _Received) -> CxmlAnswer | None:
        partner, payload_id = received.partner, received.document.payload_id
        with UnitOfWork(self._engine) as uow:
            found = uow.idempotency.find(partner.key, IDEMPOTENCY_SCOPE, payload_id)
            if found is None:
                return None
            original_id, response_id = found
            original = uow.documents.get(response_id) if response_id else None
            status_code = original.status_code if original else 200
            answer_body = original.body if original else b""
            uow.documents.add(
                self._inbound(
                    received,
                    DocumentOutcome.DUPLICATE,
                    status_code,
                    None,
                    detail=f"retransmission of document {original_id}; original answer repeated",
                )
            )
            uow.commit()
        logger.info("duplicate payloadID %s from %s answered again", payload_id, partner.key)
        status = CxmlStatus.of(status_code or 200, "duplicate of an answered document")
        return CxmlAnswer(status, answer_body, original_id)

    def _hold(
        self,
        received: _Received,
        order: PurchaseOrder,
        *,
        stage: str,
        error: str,
        status: CxmlStatus,
    ) -> CxmlAnswer:
        """Keep the document as a dead letter, replayable once the cause is fixed."""
        answer_status = status
        partner, now = received.partner, self._clock()
        answer_body = partner.connector.answer(answer_status)
        inbound = self._inbound(
            received, DocumentOutcome.HELD, answer_status.code, order.order_id, detail=error
        )
        reply = reply_record(
            answer_body,
            reply_to=inbound,
            kind="Response",
            status_code=answer_status.code,
            at=now,
            content_type=CONTENT_TYPE,
        )
        dead_letter = DeadLetterRecord(
            id=uuid4(),
            document_id=inbound.id,
            partner_key=partner.key,
            stage=stage,
            error=error,
            status=DeadLetterStatus.OPEN,
            attempts=0,
            created_at=now,
            updated_at=now,
            resolved_at=None,
        )
        with UnitOfWork(self._engine) as uow:
            uow.documents.add(inbound, reply)
            uow.dead_letters.add(dead_letter)
            self._remember(uow, received, inbound.id, reply.id, now)
            uow.commit()
        logger.warning(
            "document %s from %s held as dead letter %s (%s)",
            received.document.payload_id,
            partner.key,
            dead_letter.id,
            stage,
        )
        return CxmlAnswer(answer_status, answer_body, inbound.id)

    def _refuse(self, received: _Received, status: CxmlStatus) -> CxmlAnswer:
        """Refuse an authenticated document; keep it whole, with our answer."""
        partner, now = received.partner, self._clock()
        answer_body = partner.connector.answer(status)
        inbound = self._inbound(
            received, DocumentOutcome.REJECTED, status.code, None, detail=status.message
        )
        reply = reply_record(
            answer_body,
            reply_to=inbound,
            kind="Response",
            status_code=status.code,
            at=now,
            content_type=CONTENT_TYPE,
        )
        with UnitOfWork(self._engine) as uow:
            uow.documents.add(inbound, reply)
            self._remember(uow, received, inbound.id, reply.id, now)
            uow.commit()
        logger.info(
            "document %s from %s refused: %s %s",
            received.document.payload_id,
            partner.key,
            status.code,
            status.message,
        )
        return CxmlAnswer(status, answer_body, inbound.id)

    def _refuse_unauthenticated(
        self,
        partner_key: str,
        body: bytes,
        status: CxmlStatus,
        *,
        remote_addr: str | None,
        content_type: str | None,
        document: CxmlDocument | None = None,
        declared_size: int | None = None,
    ) -> CxmlAnswer:
        """Refuse before authentication: an audit row (truncated body) and a bare answer."""
        now = self._clock()
        answer_body = self._bare_body(status)
        inbound = inbound_record(
            body,
            partner_key=partner_key,
            protocol=PROTOCOL,
            kind=document.kind if document else "unknown",
            outcome=DocumentOutcome.REJECTED,
            status_code=status.code,
            at=now,
            authenticated=False,
            payload_id=document.payload_id if document else None,
            detail=status.message,
            content_type=content_type,
            remote_addr=remote_addr,
            declared_size=declared_size,
        )
        reply = reply_record(
            answer_body,
            reply_to=inbound,
            kind="Response",
            status_code=status.code,
            at=now,
            content_type=CONTENT_TYPE,
        )
        try:
            with UnitOfWork(self._engine) as uow:
                uow.documents.add(inbound, reply)
                uow.commit()
        except DBAPIError:
            logger.exception("could not log a refused document from %r", partner_key)
        logger.info("refused document for %r: %s %s", partner_key, status.code, status.message)
        return CxmlAnswer(status, answer_body, inbound.id)

    # -- helpers --------------------------------------------------------------------------

    def _dtd_note(self, document: CxmlDocument) -> str | None:
        if self._dtd_validator is None:
            return None
        problems = self._dtd_validator.validate(document.root)
        if not problems:
            return None
        return (
            f"not valid against the cXML DTD ({len(problems)} problem(s)), read tolerantly; "
            f"first: {problems[0]}"
        )

    def _inbound(
        self,
        received: _Received,
        outcome: DocumentOutcome,
        status_code: int | None,
        correlation_id: str | None,
        *,
        detail: str | None = None,
    ) -> DocumentRecord:
        return inbound_record(
            received.body,
            partner_key=received.partner.key,
            protocol=PROTOCOL,
            kind=received.document.kind,
            outcome=outcome,
            status_code=status_code,
            at=self._clock(),
            authenticated=True,
            payload_id=received.document.payload_id,
            correlation_id=correlation_id,
            detail=detail or received.dtd_note,
            content_type=received.content_type,
            remote_addr=received.remote_addr,
        )

    @staticmethod
    def _remember(
        uow: UnitOfWork, received: _Received, document_id: UUID, reply_id: UUID, at: datetime
    ) -> None:
        uow.idempotency.add(
            received.partner.key,
            IDEMPOTENCY_SCOPE,
            received.document.payload_id,
            document_id=document_id,
            response_document_id=reply_id,
            at=at,
        )

    def _bare_body(self, status: CxmlStatus) -> bytes:
        now = self._clock()
        return build_response(
            status,
            payload_id=new_payload_id(now, self._hostname),
            timestamp=now,
            version=self._cxml_version,
        )

    def _bare_answer(self, partner: Partner, status: CxmlStatus) -> CxmlAnswer:
        return CxmlAnswer(status, partner.connector.answer(status))
