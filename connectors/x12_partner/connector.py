"""One retailer that trades in ANSI X12: authenticate its POSTs, read 850s, build 997/999/TA1.

Everything partner-specific is data in the profile (`X12PartnerSettings`: identities, version,
delimiters, qualifiers, code choices) plus how the partner wants its acknowledgements. The
connector is stateless: control numbers come from the core's per-partner counter.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from typing import ClassVar, Literal

from pydantic import SecretStr

from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.errors import AuthenticityError
from connectors.formats.x12 import (
    ControlNumbers,
    GroupAck,
    InterchangeAck,
    InterchangeEnd,
    InterchangeHeader,
    OutboundInterchange,
    TransactionSet,
    X12Event,
    X12PartnerSettings,
    build_997,
    build_999,
    build_ta1,
    read_850,
    read_x12,
)
from schemas import PurchaseOrder


class X12PartnerConfig(X12PartnerSettings):
    """The partner's X12 settings plus how it authenticates and wants its acknowledgements."""

    acknowledgment: Literal["997", "999", "none"] = "997"
    """Functional acknowledgement we answer with: 997, 999 (5010 partners who ask), or none."""
    ta1: Literal["never", "requested", "always"] = "requested"
    """Interchange acknowledgement: when the partner sets ISA14=1 (`requested`), always, never."""
    api_token: SecretStr
    """The bearer token the partner presents on `POST /edi/x12/{partner}`; never logged."""


class X12PartnerConnector:
    """A stateless connector for one X12 trading partner."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="x12",
        display_name="ANSI X12 trading partner",
        protocol="x12",
        capabilities=frozenset({Capability.INBOUND}),
        inbound_documents=frozenset({"850"}),
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
