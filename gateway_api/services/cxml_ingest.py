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
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from connectors.core import (
    AuthenticityError,
    Clock,
    DocumentError,
    UnsupportedDocumentError,
)
from connectors.cxml_platform import CxmlPlatformConnector
from connectors.formats.cxml import (
    CxmlDocument,
    CxmlStatus,
    DtdValidator,
    build_response,
    new_payload_id,
    parse_cxml,
)
from gateway_api.domain import OrderConflictError, UnknownOrderError
from gateway_api.services.document_log import inbound_record, reply_record
from gateway_api.services.order_intake import (
    OrderChange,
    decide_order_change,
    inbound_order_envelope,
)
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentOutcome,
    DocumentRecord,
)
from gateway_api.store.unit_of_work import UnitOfWork
from mappings.engine import MappingConfigError, MappingError, map_purchase_order
from schemas import Envelope, PurchaseOrder

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
    partner: Partner[CxmlPlatformConnector]
    document: CxmlDocument
    body: bytes = field(repr=False)  # carries the SharedSecret
    remote_addr: str | None
    content_type: str | None
    dtd_note: str | None = None
    """Set when DTD validation is on and the document deviates (it is still read tolerantly)."""


@dataclass(frozen=True)
class _Apply:
    """The document is a valid, mapped order change: apply it."""

    envelope: Envelope[PurchaseOrder]


@dataclass(frozen=True)
class _Hold:
    """Keep the document as a dead letter (replayable) and answer `status`."""

    stage: str
    error: str
    status: CxmlStatus
    correlation_id: str | None


@dataclass(frozen=True)
class _Refuse:
    """Refuse the document with `status`; keep it in the log."""

    status: CxmlStatus


_Plan = _Apply | _Hold | _Refuse


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

    def receive(  # noqa: PLR0911 - one return per outcome
        self,
        partner_key: str,
        body: bytes,
        *,
        remote_addr: str | None = None,
        content_type: str | None = None,
    ) -> CxmlAnswer:
        """Handle one POSTed cXML document and return the answer to send."""
        partner = self._directory.cxml(partner_key)
        if partner is None:
            # Answer exactly as for a known partner with a bad secret, malformed bodies included,
            # so that answers do not reveal which partner keys exist.
            try:
                parse_cxml(body)
            except DocumentError as error:
                return self._refuse_unauthenticated(
                    partner_key,
                    body,
                    CxmlStatus.bad_request(str(error)),
                    remote_addr=remote_addr,
                    content_type=content_type,
                )
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
        except DataError as error:
            # The database refused a value (out of range, invalid): the document is at fault,
            # so answer 4xx, which platforms do not retry, and keep the document.
            logger.warning(
                "document %s from %s holds a value the store refused: %s",
                document.payload_id,
                partner_key,
                error.orig,
            )
            reason = "the document holds a value out of the accepted range or format"
            try:
                return self._commit(received, _Refuse(CxmlStatus.bad_request(reason)))
            except DBAPIError:
                logger.exception("could not log refused document %s", document.payload_id)
                return self._bare_answer(partner, CxmlStatus.bad_request(reason))
        except DBAPIError:
            logger.exception(
                "database unavailable while processing %s from %s",
                document.payload_id,
                partner_key,
            )
            return self._bare_answer(
                partner, CxmlStatus.service_unavailable("temporarily unable to store; retry")
            )

    def internal_error(self) -> CxmlAnswer:
        """The answer for a failure of our own: cXML 500, which platforms retry later."""
        status = CxmlStatus.internal_server_error("internal error; please retry later")
        return CxmlAnswer(status, self._bare_body(status))

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

    def _process(self, received: _Received) -> CxmlAnswer:
        plan = self._plan(received)
        try:
            return self._commit(received, plan)
        except IntegrityError:
            # A concurrent twin (same payloadID, or a `new` for the same order) committed first;
            # a second attempt sees it and answers as a duplicate or a conflict.
            return self._commit(received, plan)

    def _plan(self, received: _Received) -> _Plan:
        """Decide everything that needs no database: kind, decoding, mapping."""
        partner, document = received.partner, received.document
        if (
            document.kind not in partner.profile.documents.inbound
            or document.kind not in partner.connector.spec.inbound_documents
        ):
            return _Refuse(
                CxmlStatus.not_acceptable(
                    f"{document.kind} is not accepted from this partner at this endpoint"
                )
            )
        try:
            order = partner.connector.read_order(document, default_tz=partner.timezone)
        except UnsupportedDocumentError as error:
            return _Refuse(CxmlStatus.not_acceptable(str(error)))
        except DocumentError as error:
            return _Refuse(CxmlStatus.bad_request(str(error)))
        try:
            mapping = self._directory.mapping(partner.key)
            mapped = map_purchase_order(order, mapping)
        except (MappingError, MappingConfigError) as error:
            status = CxmlStatus.accepted(f"accepted and held for review: {_for_partner(error)}")
            return _Hold("mapping", str(error), status, order.order_id)
        return _Apply(
            inbound_order_envelope(
                mapped,
                raw_document_id=uuid4(),
                connector=partner.profile.connector,
                partner=partner.key,
                payload_id=document.payload_id,
                at=self._clock(),
                mapping=mapping.references,
            )
        )

    def _commit(self, received: _Received, plan: _Plan) -> CxmlAnswer:
        """One transaction: duplicate check, order rules, and every row of the outcome."""
        with UnitOfWork(self._engine) as uow:
            duplicate = self._answer_if_duplicate(uow, received)
            if duplicate is not None:
                uow.commit()
                return duplicate
            change = None
            if isinstance(plan, _Apply):
                try:
                    change = decide_order_change(uow, plan.envelope)
                except UnknownOrderError as error:
                    reason = str(error)
                    order_id = plan.envelope.document.order_id
                    plan = _Hold("sequence", reason, CxmlStatus.conflict(reason), order_id)
                except OrderConflictError as error:
                    plan = _Refuse(CxmlStatus.conflict(str(error)))
            answer = self._record(uow, received, plan, change)
            uow.commit()
        self._log(received, plan, answer)
        return answer

    def _record(
        self, uow: UnitOfWork, received: _Received, plan: _Plan, change: OrderChange | None
    ) -> CxmlAnswer:
        """Write the outcome of `plan`: documents, dead letter, order change, idempotency key."""
        partner, now = received.partner, self._clock()
        if isinstance(plan, _Apply):
            status, outcome = CxmlStatus.ok(), DocumentOutcome.PROCESSED
            detail, correlation = None, plan.envelope.correlation_id
            document_id: UUID | None = plan.envelope.raw_document_id
        elif isinstance(plan, _Hold):
            status, outcome = plan.status, DocumentOutcome.HELD
            detail, correlation, document_id = plan.error, plan.correlation_id, None
        else:
            status, outcome = plan.status, DocumentOutcome.REJECTED
            detail, correlation, document_id = plan.status.message, None, None
        answer_body = partner.connector.answer(status)
        inbound = self._inbound(
            received, outcome, status.code, correlation, detail=detail, document_id=document_id
        )
        reply = reply_record(
            answer_body,
            reply_to=inbound,
            kind="Response",
            status_code=status.code,
            at=now,
            content_type=CONTENT_TYPE,
        )
        uow.documents.add(inbound, reply)
        if isinstance(plan, _Hold):
            uow.dead_letters.add(
                DeadLetterRecord(
                    id=uuid4(),
                    document_id=inbound.id,
                    partner_key=partner.key,
                    stage=plan.stage,
                    error=plan.error,
                    status=DeadLetterStatus.OPEN,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                    resolved_at=None,
                )
            )
        if change is not None:
            change.write(uow)
        uow.idempotency.add(
            partner.key,
            IDEMPOTENCY_SCOPE,
            received.document.payload_id,
            document_id=inbound.id,
            response_document_id=reply.id,
            at=now,
        )
        return CxmlAnswer(status, answer_body, inbound.id)

    def _answer_if_duplicate(self, uow: UnitOfWork, received: _Received) -> CxmlAnswer | None:
        partner, payload_id = received.partner, received.document.payload_id
        found = uow.idempotency.find(partner.key, IDEMPOTENCY_SCOPE, payload_id)
        if found is None:
            return None
        original_id, response_id = found
        original = uow.documents.get(response_id) if response_id else None
        status_code = original.status_code if original and original.status_code else 200
        uow.documents.add(
            self._inbound(
                received,
                DocumentOutcome.DUPLICATE,
                status_code,
                None,
                detail=f"retransmission of document {original_id}; original answer repeated",
            )
        )
        logger.info("duplicate payloadID %s from %s answered again", payload_id, partner.key)
        status = CxmlStatus.of(status_code, "duplicate of an answered document")
        return CxmlAnswer(status, original.body if original else b"", original_id)

    @staticmethod
    def _log(received: _Received, plan: _Plan, answer: CxmlAnswer) -> None:
        payload_id, partner = received.document.payload_id, received.partner.key
        if isinstance(plan, _Apply):
            logger.info(
                "order %s from %s stored (payloadID %s)",
                plan.envelope.correlation_id,
                partner,
                payload_id,
            )
        elif isinstance(plan, _Hold):
            logger.warning(
                "document %s from %s held as a dead letter (%s): %r",
                payload_id,
                partner,
                plan.stage,
                plan.error,
            )
        else:
            logger.info(
                "document %s from %s refused: %s %r",
                payload_id,
                partner,
                answer.status.code,
                answer.status.message,
            )

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
        logger.info("refused document for %r: %s %r", partner_key, status.code, status.message)
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
        document_id: UUID | None = None,
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
            document_id=document_id,
        )

    def _bare_body(self, status: CxmlStatus) -> bytes:
        now = self._clock()
        return build_response(
            status,
            payload_id=new_payload_id(now, self._hostname),
            timestamp=now,
            version=self._cxml_version,
        )

    def _bare_answer(
        self, partner: Partner[CxmlPlatformConnector], status: CxmlStatus
    ) -> CxmlAnswer:
        return CxmlAnswer(status, partner.connector.answer(status))


def _for_partner(error: MappingError | MappingConfigError) -> str:
    """What the sender may read about a mapping failure: its lines and values, not our files."""
    if isinstance(error, MappingConfigError):
        return "the supplier's mapping for this buyer is being corrected"
    problems = [
        f"line {p.line_number}: {p.field} {p.value!r} is not known"
        if p.line_number is not None
        else f"{p.field} {p.value!r} is not known"
        for p in error.problems
    ]
    return "; ".join(problems)
