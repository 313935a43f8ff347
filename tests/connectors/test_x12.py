"""The X12 trading-partner connector passes the shared suite and keeps its own promises."""

from __future__ import annotations

from datetime import UTC
from typing import Any, ClassVar

import pytest

from connectors.core import AuthenticityError, ConnectorContext
from connectors.core.inbound import InboundBatch, InboundRequest, Transport
from connectors.formats.x12 import (
    ControlNumbers,
    GroupEnd,
    InterchangeEnd,
    TransactionSet,
    read_x12,
)
from connectors.testing.conformance import ConnectorConformance
from connectors.x12_partner import X12PartnerConfig, X12PartnerConnector
from tests.support.x12_documents import NOW, interchange, order_segments

TOKEN = "X12-Conformance-Token-4f2a"


class TestX12Conformance(ConnectorConformance):
    connector_class = X12PartnerConnector
    config: ClassVar[dict[str, Any]] = {
        "our_qualifier": "ZZ",
        "our_id": "SELLER",
        "partner_qualifier": "ZZ",
        "partner_id": "BUYER",
        "api_token": TOKEN,
    }
    secret_fields = ("api_token",)


def _connector(**changes: Any) -> X12PartnerConnector:
    config = X12PartnerConfig.model_validate({**TestX12Conformance.config, **changes})
    return X12PartnerConnector(config, ConnectorContext())


def test_the_bearer_token_is_checked_and_never_echoed() -> None:
    connector = _connector()
    connector.authenticate(TOKEN)
    for wrong in (None, "", TOKEN[:-1], TOKEN + "x"):
        with pytest.raises(AuthenticityError) as raised:
            connector.authenticate(wrong)
        assert TOKEN not in str(raised.value)


def test_reads_an_850_and_answers_a_997_with_the_given_numbers() -> None:
    connector = _connector()
    events = list(connector.events(interchange([order_segments(1)], ack="1")))
    (transaction_set,) = [e for e in events if isinstance(e, TransactionSet)]
    order = connector.read_order(transaction_set, tz=NOW.tzinfo)  # type: ignore[arg-type]
    assert order.order_id == "PO-1"
    (group,) = [e for e in events if isinstance(e, GroupEnd)]
    (end,) = [e for e in events if isinstance(e, InterchangeEnd)]
    assert connector.wants_ta1(end.header)
    reply = connector.build_acknowledgement(
        end.header,
        [group.acknowledge()],
        numbers=ControlNumbers(interchange=41, group=7, transaction_set=3),
        now=NOW,
        ta1=end.acknowledge(),
    )
    assert reply is not None
    assert reply.interchange_control_number == "000000041"
    text = reply.data.decode()
    assert "TA1*000000001*" in text
    assert "AK1*PO*1~" in text
    assert "AK9*A*1*1*1~" in text
    assert list(read_x12(reply.data))  # our own reader re-reads it


def test_no_acknowledgement_when_the_partner_takes_none() -> None:
    connector = _connector(acknowledgment="none", ta1="never")
    events = list(connector.events(interchange([order_segments(1)])))
    (group,) = [e for e in events if isinstance(e, GroupEnd)]
    (end,) = [e for e in events if isinstance(e, InterchangeEnd)]
    assert not connector.wants_ta1(end.header)
    numbers = ControlNumbers(interchange=1, group=1)
    assert (
        connector.build_acknowledgement(
            end.header, [group.acknowledge()], numbers=numbers, now=NOW, ta1=None
        )
        is None
    )


@pytest.mark.parametrize(
    ("ta1", "requested", "rejected", "wanted"),
    [
        ("requested", False, False, False),
        ("requested", True, False, True),
        ("requested", False, True, True),  # a rejected envelope is always answered
        ("never", False, True, False),
        ("always", False, False, True),
    ],
)
def test_when_an_interchange_gets_a_ta1(
    ta1: str, requested: bool, rejected: bool, wanted: bool
) -> None:
    connector = _connector(ta1=ta1)
    events = list(connector.events(interchange([order_segments(1)], ack="1" if requested else "0")))
    (end,) = [e for e in events if isinstance(e, InterchangeEnd)]
    assert connector.wants_ta1(end.header, rejected=rejected) is wanted


def test_a_test_interchange_is_a_test_unit_only_in_a_live_partnership() -> None:
    body = interchange([order_segments(1)], usage="T", sender="BUYER", receiver="SELLER")
    for usage, test in (("P", True), ("T", False)):
        opened = _connector(usage=usage).open(InboundRequest(body, Transport.FILE_DROP), tz=UTC)
        assert isinstance(opened, InboundBatch)
        (unit,) = opened.units
        assert (unit.test, unit.idempotency_scope) == (test, "x12-interchange")
