"""EDIFACT: an ORDERS the hub already stores, resent in a new interchange, is a duplicate.

Issue 9: identical orders resent are duplicates, not conflicts. The core answers them as
`Disposition.DUPLICATE`; the CONTRL must accept the message (UCI action 7), the order stays as
it was and no dead letter is left for a person.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from connectors.formats.edifact import Message, read_contrl, read_edifact
from tests.support.edifact_documents import (
    EDIFACT_DEMO_TOKEN,
    orders_message,
    retailer_interchange,
)

AUTH = {"Authorization": f"Bearer {EDIFACT_DEMO_TOKEN}", "Content-Type": "application/edifact"}


def _contrl(data: bytes) -> Any:
    [message] = [e for e in read_edifact(data) if isinstance(e, Message)]
    return read_contrl(message)


def test_an_identical_orders_in_a_new_interchange_is_accepted_and_changes_nothing(
    client: TestClient,
) -> None:
    message = orders_message("EO-R1", [("ED-1001", "2", "3.00")])
    first = client.post(
        "/edi/edifact/edifact-demo",
        content=retailer_interchange(message, control="6001"),
        headers=AUTH,
    )
    again = client.post(
        "/edi/edifact/edifact-demo",
        content=retailer_interchange(message, control="6002"),
        headers=AUTH,
    )

    assert first.status_code == again.status_code == 200
    report = _contrl(again.content)
    assert (report.interchange_reference, report.action.value) == ("6002", "7")
    [order] = client.get("/orders", params={"partner": "edifact-demo"}).json()
    detail = client.get(f"/orders/{order['id']}").json()
    assert len(detail["history"]) == 1
    assert client.get("/dead-letters").json() == []
    logged = client.get(
        "/documents", params={"partner": "edifact-demo", "direction": "inbound"}
    ).json()
    assert sorted(d["outcome"] for d in logged) == ["duplicate", "processed"]
