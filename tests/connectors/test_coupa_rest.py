"""The Coupa REST pull connector passes the shared suite and keeps its own promises."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from connectors.core import AuthenticityError, ConnectorContext
from connectors.core.inbound import InboundBatch, InboundRefusal, InboundRequest, Transport
from connectors.coupa_rest import CoupaRestConfig, CoupaRestConnector
from connectors.testing.conformance import ConnectorConformance
from connectors.testing.fake_coupa_rest import FakeCoupaRest
from tests.support.clock import FakeClock

SECRET = "Coupa-Rest-Conformance-Secret-91c2"


class TestCoupaRestConformance(ConnectorConformance):
    connector_class = CoupaRestConnector
    config: ClassVar[dict[str, Any]] = {
        "base_url": "https://acme.coupahost.com",
        "client_id": "b2connect-hub",
        "client_secret": SECRET,
        "rules": {"buyer_identity": "acme.coupahost.com"},
    }
    secret_fields = ("client_secret",)


def _connector() -> CoupaRestConnector:
    config = CoupaRestConfig.model_validate(TestCoupaRestConformance.config)
    return CoupaRestConnector(config, ConnectorContext())


def test_a_pushed_order_is_refused_a_pulled_one_is_read() -> None:
    fake = FakeCoupaRest(clock=FakeClock())
    [po_id] = fake.generate_orders(1)
    body = json.dumps(fake.order(po_id)).encode()
    connector = _connector()
    refused = connector.open(InboundRequest(body=body), tz=FakeClock()().tzinfo)  # type: ignore[arg-type]
    assert isinstance(refused, InboundRefusal)
    assert isinstance(refused.error, AuthenticityError)
    opened = connector.open(
        InboundRequest(body=body, transport=Transport.PULL),
        tz=FakeClock()().tzinfo,  # type: ignore[arg-type]
    )
    assert isinstance(opened, InboundBatch)
    [unit] = opened.units
    [document] = unit.documents
    assert document.problem is None
    assert unit.idempotency_key == f"{po_id}:1"
    assert SECRET not in repr(connector)
