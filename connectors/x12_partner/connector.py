"""One retailer that trades in ANSI X12: authenticate its POSTs, read 850s, build 997/999/TA1.

Everything partner-specific is data in the profile (`X12PartnerSettings`: identities, version,
delimiters, qualifiers, code choices) plus how the partner wants its acknowledgements. The
connector is stateless: control numbers come from the core's per-partner counter.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator

from connectors.core.contract import (
    Capability,
    ConnectorContext,
    ConnectorSpec,
    OutboundMessage,
    Receipt,
)
from connectors.core.errors import (
    AuthenticityError,
    AuthError,
    ConfigError,
    RejectedByPartnerError,
    TransientError,
    UnsupportedDocumentError,
)
from connectors.formats.x12 import (
    ControlNumbers,
    GroupAck,
    InterchangeAck,
    InterchangeEnd,
    InterchangeHeader,
    OutboundInterchange,
    TransactionSet,
    X12Error,
    X12Event,
    X12PartnerSettings,
    build_997,
    build_999,
    build_document,
    build_ta1,
    read_850,
    read_acknowledgment,
    read_x12,
)
from schemas import Invoice, OrderConfirmation, PurchaseOrder, ShipNotice

OutboundDocument = OrderConfirmation | ShipNotice | Invoice


class X12PartnerConfig(X12PartnerSettings):
    """The partner's X12 settings plus how it authenticates and wants its acknowledgements."""

    acknowledgment: Literal["997", "999", "none"] = "997"
    """Functional acknowledgement we answer with: 997, 999 (5010 partners who ask), or none."""
    ta1: Literal["never", "requested", "always"] = "requested"
    """Interchange acknowledgement: when the partner sets ISA14=1 (`requested`), always, never."""
    api_token: SecretStr
    """The bearer token the partner presents on `POST /edi/x12/{partner}`; never logged."""
    endpoints: dict[str, HttpUrl | Literal["file_drop"]] = Field(default_factory=dict)
    """Where our documents go, by transaction set (`855`, `856`, `810`): an HTTP(S) URL, or
    `file_drop` for the `outbound/` folder of `file_drop`."""
    sftp: SftpDropConfig | None = None
    """The partner's SFTP server as its file drop (instead of a local `file_drop` folder)."""
    sftp_password: SecretStr | None = None
    """Password of the SFTP account; never logged."""
    file_drop: Path | None = None
    """Root of the partner's file drop (`inbound/`, `outbound/`, `archive/`, `error/`): files
    it puts in `inbound/` are picked up by the `poll-file-drops` job, our 997s and documents for
    `file_drop` endpoints are written to `outbound/`."""
    outbound_token: SecretStr | None = None
    """Bearer token we present to the partner's endpoints, when it wants one."""

    @model_validator(mode="after")
    def _one_file_drop(self) -> X12PartnerConfig:
        if self.sftp is not None and self.file_drop is not None:
            msg = "a partner has one file drop: set file_drop (a folder) or sftp, not both"
            raise ValueError(msg)
        if (self.sftp is None) != (self.sftp_password is None):
            msg = "sftp and secrets.sftp_password go together"
            raise ValueError(msg)
        return self


class SftpDropConfig(BaseModel):
    """An SFTP account whose folder is the partner's file drop."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = 22
    username: str
    host_key_sha256: str
    """The server's host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it (pinned)."""
    root: str = "."
    """The drop's folder on the server."""


class X12PartnerConnector:
    """A stateless connector for one X12 trading partner."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="x12",
        display_name="ANSI X12 trading partner",
        protocol="x12",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"850"}),
        outbound_documents=frozenset({"855", "856", "810"}),
    )
    config_model: ClassVar[type[X12PartnerConfig]] = X12PartnerConfig

    def __init__(self, config: X12PartnerConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def authenticate(self, presented: str | None) -> None:
        """Check the bearer token in constant time; `AuthenticityError` names no secret."""
        expected = self.config.api_token.get_secret_value().encode()
        if not hmac.compare_digest((presented or "").encode(), expected):
            msg = "the bearer token is not valid for this partner"
            raise AuthenticityError(msg)

    def events(self, body: bytes) -> Iterator[X12Event]:
        """The interchanges, groups and transaction sets in `body` (a mailbag is fine)."""
        return read_x12(body, encoding=self.config.encoding)

    def read_order(self, transaction_set: TransactionSet, *, tz: tzinfo) -> PurchaseOrder:
        """The canonical order of an 850 (`X12Error` with a position when it cannot be read)."""
        return read_850(transaction_set, self.config.inbound, tz=tz)

    def wants_ta1(self, header: InterchangeHeader) -> bool:
        """True when this interchange gets a TA1."""
        if self.config.ta1 == "always":
            return True
        return self.config.ta1 == "requested" and header.acknowledgment_requested

    def acknowledge_interchange(
        self, end: InterchangeEnd, *, numbers: ControlNumbers, now: datetime
    ) -> OutboundInterchange:
        """A TA1 on its own, for an interchange without groups to acknowledge."""
        return build_ta1(end, numbers=numbers, now=now)

    def acknowledge(
        self,
        header: InterchangeHeader,
        acks: Sequence[GroupAck],
        *,
        numbers: ControlNumbers,
        now: datetime,
        ta1: InterchangeAck | None,
    ) -> OutboundInterchange | None:
        """The 997 (or 999) interchange answering `header`'s groups, in the partner's delimiters."""
        if self.config.acknowledgment == "none" or not acks:
            return None
        build = build_999 if self.config.acknowledgment == "999" else build_997
        return build(header, acks, numbers=numbers, now=now, ta1=ta1)

    # -- outbound ---------------------------------------------------------------------------

    needs_control_numbers: ClassVar[bool] = True
    """The core allocates ISA13/GS06/ST02 when it queues a document (retries resend them)."""

    def outbound_kind(self, document_type: str) -> str:
        """The transaction set that carries a canonical document type to this partner."""
        kind = OUTBOUND_SETS.get(document_type)
        if kind is None or kind not in self.spec.outbound_documents:
            msg = f"X12 partners do not take {document_type} documents from us"
            raise UnsupportedDocumentError(msg)
        return kind

    def endpoint(self, kind: str) -> str:
        """Where the partner takes `kind` (`file-drop:outbound` for its file drop)."""
        url = self.config.endpoints.get(kind)
        if url is None:
            msg = f"no endpoint configured for {kind} (connector_config.endpoints.{kind})"
            raise ConfigError(msg)
        if url == "file_drop":
            if self.config.file_drop is None and self.config.sftp is None:
                msg = f"{kind} goes to the file drop, but connector_config.file_drop is not set"
                raise ConfigError(msg)
            return FILE_DROP_URL
        return str(url)

    def render(
        self, document: OutboundDocument, *, payload_id: str, timestamp: datetime
    ) -> OutboundMessage:
        """The interchange carrying `document`, with the control numbers in `payload_id`.

        `payload_id` is `ISA13/GS06/ST02` as allocated when the document was queued, so a
        retry sends the same interchange and the partner's duplicate check recognises it.
        """
        kind = self.outbound_kind(document.document_type)
        numbers = control_numbers_of(payload_id)
        interchange = build_document(
            document, self.config, numbers=numbers, now=timestamp, tz=timestamp.tzinfo or UTC
        )
        headers = {}
        if self.config.outbound_token is not None:
            headers["Authorization"] = f"Bearer {self.config.outbound_token.get_secret_value()}"
        return OutboundMessage(
            kind=kind,
            url=self.endpoint(kind),
            body=interchange.data,
            content_type=CONTENT_TYPE,
            headers=headers,
        )

    def read_receipt(self, http_status: int, body: bytes, headers: Mapping[str, str]) -> Receipt:
        """2xx with no body or an accepting 997/999 is a receipt; a rejecting one is permanent."""
        del headers
        if http_status >= 500 or http_status in {408, 429}:
            msg = f"the partner is unavailable (HTTP {http_status})"
            raise TransientError(msg)
        if http_status == 401:
            msg = "the partner refused our token (HTTP 401)"
            raise AuthError(msg)
        if not 200 <= http_status < 300:
            text = body[:200].decode("utf-8", "replace").strip()
            msg = f"HTTP {http_status}: {text}"
            raise RejectedByPartnerError(msg, status_code=http_status)
        acks = [_ack(e) for e in read_x12(body) if isinstance(e, TransactionSet)] if body else []
        rejected = [ack for ack in acks if not ack.status.is_accepted]
        if rejected:
            codes = ", ".join(
                f"set {s.control_number}: {s.codes}" for r in rejected for s in r.sets
            )
            msg = f"the partner's functional acknowledgement rejected it ({codes})"
            raise RejectedByPartnerError(msg, status_code=http_status)
        text = "accepted in the partner's acknowledgement" if acks else "accepted"
        return Receipt(status_code=http_status, text=text)


OUTBOUND_SETS: dict[str, str] = {
    "order_confirmation": "855",
    "ship_notice": "856",
    "invoice": "810",
}
"""Transaction set of each outbound canonical document type."""

CONTENT_TYPE = "application/edi-x12"
FILE_DROP_URL = "file-drop:outbound"
"""The endpoint of documents written to the partner's file drop instead of POSTed."""


def control_numbers_of(payload_id: str) -> ControlNumbers:
    """`ControlNumbers` from the `ISA13/GS06/ST02` id a document was queued with."""
    try:
        interchange, group, transaction_set = (int(part) for part in payload_id.split("/"))
    except ValueError:
        msg = f"{payload_id!r} is not ISA13/GS06/ST02"
        raise ConfigError(msg) from None
    return ControlNumbers(interchange=interchange, group=group, transaction_set=transaction_set)


def _ack(transaction_set: TransactionSet) -> GroupAck:
    try:
        return read_acknowledgment(transaction_set)
    except X12Error as error:
        msg = f"the partner answered with an unreadable acknowledgement: {error}"
        raise TransientError(msg) from None
