"""Bad input at `POST /cxml/{partner}`: a cXML 4xx answer, an audit trace, nothing else stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import Line, order_request
from tests.support.http_probe import counting_server

SECRET_FILE_TEXT = "TOP-SECRET-FILE-CONTENT"


def _xxe_file(tmp: Path, _url: str) -> bytes:
    secret = tmp / "secret.txt"
    secret.write_text(SECRET_FILE_TEXT)
    return f"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file://{secret}">]>
<cXML payloadID="x@x" timestamp="2026-01-01T00:00:00Z"><Header><From><Credential domain="d">
<Identity>&xxe;</Identity></Credential></From></Header></cXML>""".encode()


def _xxe_network(_tmp: Path, url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY % remote SYSTEM "{url}/evil.dtd"> %remote;
<!ENTITY xxe SYSTEM "{url}/data">]>
<cXML payloadID="x@x" timestamp="2026-01-01T00:00:00Z"><Header>&xxe;</Header></cXML>""".encode()


def _billion_laughs(_tmp: Path, _url: str) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return f"""<?xml version="1.0"?><!DOCTYPE cXML [{entities}]>
<cXML payloadID="x@x" timestamp="2026-01-01T00:00:00Z"><Header>&lol9;</Header></cXML>""".encode()


def _deep_nesting(_tmp: Path, _url: str) -> bytes:
    depth = 5000
    return (
        b'<cXML payloadID="x@x" timestamp="2026-01-01T00:00:00Z">'
        + b"<a>" * depth
        + b"</a>" * depth
        + b"</cXML>"
    )


BadInput = Callable[[Path, str], bytes]

CASES: dict[str, tuple[str, BadInput, int, str]] = {
    # name: (partner, body factory, cXML status, words the answer must contain)
    "malformed XML": ("coupa-demo", lambda _t, _u: b"<cXML><Header></cXML", 400, "line"),
    "empty body": ("coupa-demo", lambda _t, _u: b"", 400, "empty"),
    "not cXML": ("coupa-demo", lambda _t, _u: b'<?xml version="1.0"?><Invoice/>', 400, "cXML"),
    "JSON body": ("coupa-demo", lambda _t, _u: b'{"order": 1}', 400, "line 1"),
    "XXE file": ("coupa-demo", _xxe_file, 400, "ENTITY"),
    "XXE network": ("coupa-demo", _xxe_network, 400, "ENTITY"),
    "billion laughs": ("coupa-demo", _billion_laughs, 400, "ENTITY"),
    "deep nesting": ("coupa-demo", _deep_nesting, 400, "depth"),
    "wrong SharedSecret": (
        "coupa-demo",
        lambda _t, _u: order_request(secret="guessing-123", payload_id="bad-secret@x"),
        401,
        "SharedSecret",
    ),
    "secret of another partner": (
        "coupa-demo",
        lambda _t, _u: order_request(secret="ariba-demo-secret", payload_id="other@x"),
        401,
        "SharedSecret",
    ),
    "malformed body for an unknown partner": (
        "no-such-partner",
        lambda _t, _u: b"<cXML><Header></cXML",
        400,
        "line",
    ),
    "order date beyond the calendar": (
        "coupa-demo",
        lambda _t, _u: order_request(payload_id="date@x").replace(
            b'orderDate="2025-01-14T09:15:12-08:00"', b'orderDate="9999-12-31T23:59:59-14:00"'
        ),
        400,
        "out of range",
    ),
    "underscored quantity": (
        "coupa-demo",
        lambda _t, _u: order_request(payload_id="q1@x").replace(
            b'quantity="2"', b'quantity="1_000"'
        ),
        400,
        "not a decimal number",
    ),
    "negative quantity": (
        "coupa-demo",
        lambda _t, _u: order_request(payload_id="q2@x").replace(b'quantity="2"', b'quantity="-2"'),
        400,
        "quantity",
    ),
    "newline in orderID": (
        "coupa-demo",
        lambda _t, _u: order_request(order_id="PO\nEVIL", payload_id="nl@x"),
        400,
        "order_id",
    ),
    "newline in payloadID": (
        "coupa-demo",
        lambda _t, _u: order_request(payload_id="p\nx"),
        400,
        "control characters",
    ),
    "unknown partner": (
        "no-such-partner",
        lambda _t, _u: order_request(payload_id="unknown-partner@x"),
        401,
        "unknown partner or invalid credentials",
    ),
    "wrong To identity": (
        "coupa-demo",
        lambda _t, _u: order_request(to_identity="SOMEONE-ELSE", payload_id="to@x"),
        401,
        "SOMEONE-ELSE",
    ),
    "payloadID of 300 characters": (
        "coupa-demo",
        lambda _t, _u: order_request(payload_id="p" * 300),
        400,
        "at most 255",
    ),
    "orderID of 10,000 characters": (
        "coupa-demo",
        lambda _t, _u: order_request(order_id="O" * 10_000, payload_id="long-order@x"),
        400,
        "order_id",
    ),
    "UTF-16 document": (
        "coupa-demo",
        lambda _t, _u: (
            order_request(payload_id="utf16@x")
            .decode()
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .encode("utf-16")
        ),
        400,
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_gets_a_cxml_4xx_and_leaves_only_an_audit_trace(
    client: TestClient, runtime: Runtime, tmp_path: Path, case: str
) -> None:
    partner, make_body, expected, words = CASES[case]
    with counting_server() as (url, hits):
        body = make_body(tmp_path, url)
        response = client.post(f"/cxml/{partner}", content=body)
    answer = status_of(response.content)
    assert answer.code == expected, answer
    assert response.status_code == expected
    assert words in answer.message
    assert SECRET_FILE_TEXT not in response.text
    assert "lollol" not in response.text
    assert hits == []  # no network fetch happened

    assert client.get("/orders").json() == []
    assert client.get("/dead-letters").json() == []
    [trace] = client.get("/documents", params={"direction": "inbound"}).json()
    assert trace["outcome"] == "rejected"
    assert trace["status_code"] == expected
    assert trace["partner"] == partner
    assert trace["size"] == len(body)
    raw = client.get(f"/documents/{trace['id']}/raw").content
    assert b"guessing-123" not in raw
    assert b"ariba-demo-secret" not in raw
    if not trace["body_truncated"]:
        assert len(raw) <= len(body)


def test_oversized_body_is_refused_without_reading_it_all(
    settings: Settings, clock: FakeClock
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024})
    runtime = build_runtime(small, clock=clock)
    with TestClient(create_app(runtime=runtime)) as client:
        body = order_request(payload_id="big@x") + b" " * (200 * 1024)
        response = client.post("/cxml/coupa-demo", content=body)
        answer = status_of(response.content)
        assert (response.status_code, answer.code) == (413, 413)
        assert "at most 65536" in answer.message
        [trace] = client.get("/documents", params={"direction": "inbound"}).json()
        assert trace["outcome"] == "rejected"
        assert trace["size"] == len(body)
        assert trace["body_truncated"] is True
        assert client.get("/orders").json() == []


@pytest.fixture
def unsupported_kind() -> bytes:
    return b"""<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="conf@x" timestamp="2026-11-20T10:00:00Z"><Header>
<From><Credential domain="NetworkID"><Identity>COUPA-DEMO-BUYER</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>B2CONNECT-DEMO-SUPPLIER</Identity></Credential></To>
<Sender><Credential domain="networkid"><Identity>COUPA-DEMO-BUYER</Identity>
<SharedSecret>coupa-demo-secret</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
</Header><Request><ConfirmationRequest><ConfirmationHeader type="accept" noticeDate="2026-11-20"/>
<OrderReference orderID="1"><DocumentReference payloadID="p"/></OrderReference>
</ConfirmationRequest></Request></cXML>"""


def test_unsupported_document_kind_is_406_and_kept(
    client: TestClient, unsupported_kind: bytes
) -> None:
    response = client.post("/cxml/coupa-demo", content=unsupported_kind)
    answer = status_of(response.content)
    assert (response.status_code, answer.code) == (406, 406)
    assert "ConfirmationRequest" in answer.message
    [trace] = client.get("/documents", params={"direction": "inbound"}).json()
    assert (trace["outcome"], trace["kind"]) == ("rejected", "ConfirmationRequest")
    raw = client.get(f"/documents/{trace['id']}/raw").content
    assert b"<SharedSecret>***</SharedSecret>" in raw
    assert trace["body_truncated"] is False


def test_stored_documents_never_contain_the_shared_secret(client: TestClient) -> None:
    client.post("/cxml/coupa-demo", content=order_request(payload_id="masked@x"))
    for document in client.get("/documents").json():
        raw = client.get(f"/documents/{document['id']}/raw").content
        assert b"coupa-demo-secret" not in raw


def test_an_absurd_partner_key_is_refused_and_audited(client: TestClient) -> None:
    key = "k" * 300
    response = client.post(f"/cxml/{key}", content=order_request(payload_id="absurd@x"))
    assert (response.status_code, status_of(response.content).code) == (401, 401)
    [trace] = client.get("/documents", params={"direction": "inbound"}).json()
    assert trace["partner"] == key[:64]
    assert trace["outcome"] == "rejected"


def test_a_chunked_oversized_body_keeps_its_head_for_the_audit(
    settings: Settings, clock: FakeClock
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024})
    with TestClient(create_app(runtime=build_runtime(small, clock=clock))) as client:
        body = order_request(payload_id="chunked@x") + b" " * (200 * 1024)

        def chunks() -> Iterator[bytes]:
            yield body  # one chunk that crosses the limit, without Content-Length

        response = client.post("/cxml/coupa-demo", content=chunks())
        assert status_of(response.content).code == 413
        [trace] = client.get("/documents", params={"direction": "inbound"}).json()
        raw = client.get(f"/documents/{trace['id']}/raw").content
        assert raw.startswith(b"<?xml")
        assert b"coupa-demo-secret" not in raw
        assert trace["body_truncated"] is True


def test_an_order_of_seven_thousand_lines(client: TestClient) -> None:
    """More rows than one PostgreSQL statement can carry parameters for."""
    lines = [Line(str(1001 + n % 9), price=Decimal(1)) for n in range(7000)]
    body = order_request(order_id="PO-HUGE", payload_id="huge@x", lines=lines)
    response = client.post("/cxml/coupa-demo", content=body)
    assert status_of(response.content).code == 200
    [listed] = client.get("/orders").json()
    order = client.get(f"/orders/{listed['id']}").json()
    assert len(order["document"]["lines"]) == 7000


def test_a_namespaced_payload_is_refused_and_logged(client: TestClient) -> None:
    body = (
        order_request(payload_id="ns@x")
        .replace(b"<OrderRequest>", b'<OrderRequest xmlns="urn:' + b"x" * 80 + b'">')
        .replace(b"</OrderRequest>", b"</OrderRequest>")
    )
    response = client.post("/cxml/coupa-demo", content=body)
    assert status_of(response.content).code in {400, 406}
    [trace] = client.get("/documents", params={"payload_id": "ns@x"}).json()
    assert trace["outcome"] == "rejected"
