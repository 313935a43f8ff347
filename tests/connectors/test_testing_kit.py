"""The test kit itself: documents it builds are valid cXML, hard cases bend something, and the
fake platform speaks to a gateway the way a platform does."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from lxml import etree

from connectors.core import AuthenticityError, ConnectorContext, DocumentError
from connectors.coupa import CoupaConnector
from connectors.cxml_platform import CxmlPlatformConfig
from connectors.formats.cxml import CxmlStatus, DtdValidator
from connectors.testing.conformance import DEFAULT_DTD_DIR, cxml_platform_config
from connectors.testing.cxml_documents import (
    CxmlParty,
    TradingPartners,
    order_request,
    profile_request,
)
from connectors.testing.fake_platform import (
    CONTENT_TYPE,
    FakeProcurementPlatform,
    NotACxmlAnswerError,
    read_answer,
)
from connectors.testing.hard_cases import HARD_CASES, HardCase, pluck
from tests.support.paths import REPO_ROOT

SECRET = "Kit-Secret-0a9b8c7d"
CONFIG = CxmlPlatformConfig.model_validate(
    cxml_platform_config(
        "NetworkID",
        buyer="COUPA-DEMO-BUYER",
        supplier="B2CONNECT-DEMO-SUPPLIER",
        sender="COUPA-DEMO-BUYER",
        shared_secret=SECRET,
    )
)
PARTNERS = TradingPartners.from_config(CONFIG)


@pytest.fixture(scope="module")
def validator() -> DtdValidator:
    return DtdValidator(DEFAULT_DTD_DIR)


def _without_payload_id(body: bytes) -> bytes:
    return re.sub(rb'payloadID="[^"]*"', b'payloadID=""', body)


# -- documents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(order_request(PARTNERS), id="new"),
        pytest.param(
            order_request(PARTNERS, change="update", version=2, supersedes="1.2@buyer"),
            id="update",
        ),
        pytest.param(order_request(PARTNERS, cxml_version="1.2.014"), id="cxml-1.2.014"),
        pytest.param(profile_request(PARTNERS), id="profile-request"),
    ],
)
def test_built_documents_are_valid_against_the_cxml_dtd(
    body: bytes, validator: DtdValidator
) -> None:
    assert validator.validate(body) == []


def test_partners_do_not_show_their_secret() -> None:
    assert SECRET not in repr(PARTNERS)
    assert SECRET not in str(PARTNERS)


def test_only_the_sender_credential_carries_the_secret() -> None:
    root = etree.fromstring(order_request(PARTNERS))
    holders = [e.tag for e in root.iterfind("Header/*") if SECRET in etree.tostring(e).decode()]
    assert holders == ["Sender"]
    assert [e.text for e in root.iter("SharedSecret")] == [SECRET]


def test_hard_case_names_are_unique() -> None:
    names = [case.name for case in HARD_CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in HARD_CASES])
def test_every_hard_case_bends_something(case: HardCase) -> None:
    plain = _without_payload_id(order_request(PARTNERS))
    bent = _without_payload_id(case.document(PARTNERS))
    assert bent != plain or case.partners(PARTNERS) != PARTNERS


def test_pluck_walks_attributes_mappings_and_sequences() -> None:
    value = {"lines": ({"name": "x"}, {"name": "y"})}
    assert pluck(value, "lines/1/name") == "y"
    assert pluck(PARTNERS, "buyer/identity") == "COUPA-DEMO-BUYER"
    with pytest.raises(KeyError):
        pluck(value, "lines/0/missing")


# -- fake platform ------------------------------------------------------------------------


def _gateway_answer(body: bytes) -> tuple[int, bytes]:
    """What a gateway in front of the Coupa connector answers: (HTTP status, cXML bytes)."""
    connector = CoupaConnector(CONFIG, ConnectorContext(hostname="gateway.test"))
    try:
        document = connector.decode(body, default_tz=UTC)
        connector.authenticate(document)
        order = connector.read_order(document, default_tz=UTC)
        status = CxmlStatus.ok(f"stored {order.order_id}")
    except AuthenticityError as error:
        status = CxmlStatus.unauthorized(str(error))
    except DocumentError as error:
        status = CxmlStatus.bad_request(str(error))
    return (200 if status.code < 300 else status.code), connector.answer(status)


def _mock_gateway(seen: list[httpx.Request]) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if not request.url.path.startswith("/cxml/"):
            return httpx.Response(404, text="<html>not found</html>")
        code, body = _gateway_answer(request.content)
        return httpx.Response(code, content=body, headers={"Content-Type": CONTENT_TYPE})

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_the_fake_platform_posts_orders_and_reads_answers() -> None:
    seen: list[httpx.Request] = []
    with FakeProcurementPlatform(
        PARTNERS, "http://gateway.test/", client=_mock_gateway(seen)
    ) as platform:
        answer = platform.send_order("coupa-demo", order_id="PO-9")

    assert (answer.code, answer.text, answer.message) == (200, "OK", "stored PO-9")
    assert answer.is_success
    assert not answer.would_retry
    assert answer.http_status == 200
    assert answer.payload_id.endswith("@gateway.test")
    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == "http://gateway.test/cxml/coupa-demo"
    assert request.headers["content-type"] == CONTENT_TYPE
    assert platform.exchanges[0].payload_id.endswith("@fake-platform.example")


def test_the_fake_platform_reports_refusals_and_retransmits_byte_for_byte() -> None:
    seen: list[httpx.Request] = []
    wrong = TradingPartners(
        PARTNERS.buyer, PARTNERS.supplier, PARTNERS.sender, "Not-The-Secret-123"
    )
    platform = FakeProcurementPlatform(wrong, "http://gateway.test", client=_mock_gateway(seen))

    refused = platform.send_order("coupa-demo")
    again = platform.retransmit()

    assert (refused.code, refused.http_status) == (401, 401)
    assert "SharedSecret" in refused.message
    assert again.code == 401
    assert seen[0].content == seen[1].content
    assert [e.payload_id for e in platform.exchanges] == [platform.exchanges[0].payload_id] * 2


def test_the_fake_platform_quotes_the_partner_key() -> None:
    seen: list[httpx.Request] = []
    platform = FakeProcurementPlatform(PARTNERS, "http://gateway.test", client=_mock_gateway(seen))
    platform.post("a/b c", b"<cXML/>")
    assert seen[0].url.raw_path == b"/cxml/a%2Fb%20c"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html>Bad Gateway</html>", id="html"),
        pytest.param(b"not xml at all", id="text"),
        pytest.param(b'<cXML payloadID="x"><Response/></cXML>', id="no-status"),
        pytest.param(b'<cXML><Response><Status code="OK"/></Response></cXML>', id="bad-code"),
    ],
)
def test_answers_that_are_not_cxml_statuses_are_reported(body: bytes) -> None:
    with pytest.raises(NotACxmlAnswerError) as info:
        read_answer(body, http_status=502)
    assert info.value.http_status == 502
    assert "HTTP 502" in str(info.value)


@contextmanager
def _socket_gateway() -> Iterator[str]:
    """The connector behind a real HTTP server on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            code, body = _gateway_answer(self.rfile.read(length))
            self.send_response(code)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_fake_platform_over_a_real_socket() -> None:
    with _socket_gateway() as base_url, FakeProcurementPlatform(PARTNERS, base_url) as platform:
        stored = platform.send_order("coupa-demo", order_id="PO-SOCKET")
        malformed = platform.post("coupa-demo", b"<cXML payloadID='x'><Request/></cXML>")
    assert (stored.code, stored.message) == (200, "stored PO-SOCKET")
    assert (malformed.code, malformed.http_status) == (400, 400)


def test_the_fake_platform_needs_neither_pytest_nor_the_gateway() -> None:
    code = (
        "import sys, connectors.testing.fake_platform, connectors.testing.hard_cases;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', "
        "'gateway_api', 'tests'));"
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_other_identities_are_refused_by_the_connector() -> None:
    """Sanity of the stand-in gateway: a platform with another buyer is refused."""
    stranger = TradingPartners(
        CxmlParty("NetworkID", "SOMEONE-ELSE"), PARTNERS.supplier, PARTNERS.sender, SECRET
    )
    code, body = _gateway_answer(order_request(stranger))
    assert code == 401
    assert read_answer(body, http_status=code).code == 401
