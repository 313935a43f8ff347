"""Bad and hostile bytes at the format level: each gets the right error, nothing leaks or loads."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from connectors.core.errors import DocumentError, MalformedDocumentError, UnsafeDocumentError
from connectors.formats.cxml import MAX_DEPTH, parse_cxml

MINIMAL = (
    '<cXML payloadID="1@test" timestamp="2026-11-22T10:30:00Z">'
    '<Response><Status code="200" text="OK"/></Response></cXML>'
)
DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">'

LATIN1 = MINIMAL.replace("OK", "Gr\u00fc\u00dfe").encode("latin-1")

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE cXML [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<cXML payloadID="1@x" timestamp="2026-11-22T10:30:00Z">&lol9;</cXML>'
).encode()


def _nested(depth: int) -> bytes:
    """A Response document whose elements nest exactly `depth` levels (cXML is level 1)."""
    inner = "<Extrinsic>" * (depth - 2) + "x" + "</Extrinsic>" * (depth - 2)
    return (
        '<cXML payloadID="1@x" timestamp="2026-11-22T10:30:00Z"><Response>'
        f'<Status code="200" text="OK"/>{inner}</Response></cXML>'
    ).encode()


@pytest.mark.parametrize(
    ("body", "error", "fragment"),
    [
        pytest.param(b"", MalformedDocumentError, "empty body", id="empty"),
        pytest.param(b" \r\n\t ", MalformedDocumentError, "empty body", id="whitespace"),
        pytest.param(b"\xef\xbb\xbf \n", MalformedDocumentError, "empty body", id="bom-only"),
        pytest.param(b"this is not xml", MalformedDocumentError, "not well-formed", id="not-xml"),
        pytest.param(b"<cXML payloadID='1'>", MalformedDocumentError, "not well-formed", id="cut"),
        pytest.param(
            b'<html payloadID="1"><body/></html>',
            MalformedDocumentError,
            "not a cXML document: root element is <html>",
            id="not-cxml-root",
        ),
        pytest.param(
            b'<cXML timestamp="2026-11-22T10:30:00Z"><Response/></cXML>',
            MalformedDocumentError,
            "cXML@payloadID is required",
            id="missing-payload-id",
        ),
        pytest.param(
            b'<cXML payloadID="  " timestamp="2026-11-22T10:30:00Z"><Response/></cXML>',
            MalformedDocumentError,
            "cXML@payloadID is required",
            id="blank-payload-id",
        ),
        pytest.param(
            b'<cXML payloadID="1" timestamp="yesterday"><Response/></cXML>',
            MalformedDocumentError,
            'cXML@timestamp: "yesterday" is not a date',
            id="bad-timestamp",
        ),
        pytest.param(
            b'<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z"><Header/></cXML>',
            MalformedDocumentError,
            "no Request, Message or Response",
            id="no-payload",
        ),
        pytest.param(
            b'<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z"><Request/></cXML>',
            MalformedDocumentError,
            "Request has no payload element",
            id="empty-request",
        ),
        pytest.param(
            "\ufeff".encode("utf-16-le") + MINIMAL.encode("utf-16-le"),
            MalformedDocumentError,
            "cXML must be sent as UTF-8; this document is UTF-16",
            id="utf16-bom",
        ),
        pytest.param(
            MINIMAL.encode("utf-16-be"),
            MalformedDocumentError,
            "cXML must be sent as UTF-8; this document looks like UTF-16",
            id="utf16-no-bom",
        ),
        pytest.param(
            MINIMAL.encode("utf-32"),
            MalformedDocumentError,
            "cXML must be sent as UTF-8; this document is UTF-32",
            id="utf32-bom",
        ),
        pytest.param(
            ('<?xml version="1.0" encoding="UTF-16"?>' + MINIMAL).encode("ascii"),
            MalformedDocumentError,
            'cXML must be sent as UTF-8; this document declares encoding="UTF-16"',
            id="utf16-declared",
        ),
        pytest.param(
            ("<?xml version='1.0' encoding='ISO-8859-1'?>" + MINIMAL).encode("latin-1"),
            MalformedDocumentError,
            'declares encoding="ISO-8859-1"',
            id="latin1-declared",
        ),
        pytest.param(
            LATIN1,
            MalformedDocumentError,
            f"byte 0xFC at offset {LATIN1.index(0xFC)} is not UTF-8",
            id="latin1-bytes",
        ),
        pytest.param(BILLION_LAUGHS, UnsafeDocumentError, "<!ENTITY", id="billion-laughs"),
        pytest.param(
            ("<!DOCTYPE cXML [<!ATTLIST cXML version CDATA '9'>]>" + MINIMAL).encode(),
            UnsafeDocumentError,
            "internal subset",
            id="internal-subset-without-entity",
        ),
        pytest.param(
            (MINIMAL.replace("<Response>", "<!-- <!ENTITY x 'y'> --><Response>")).encode(),
            UnsafeDocumentError,
            "<!ENTITY",
            id="entity-text-in-comment",
        ),
        pytest.param(_nested(10_000), UnsafeDocumentError, "Excessive depth", id="depth-10000"),
        pytest.param(
            _nested(MAX_DEPTH + 1), UnsafeDocumentError, f"deeper than {MAX_DEPTH}", id="depth-65"
        ),
        pytest.param(
            b'<cXML payloadID="1"><Response>' + b"x" * 10_100_000 + b"</Response></cXML>",
            UnsafeDocumentError,
            "Resource limit exceeded",
            id="huge-text-node",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_reason(
    body: bytes, error: type[DocumentError], fragment: str
) -> None:
    with pytest.raises(error) as caught:
        parse_cxml(body)
    assert type(caught.value) is error
    assert fragment in str(caught.value)


def test_not_well_formed_error_names_line_and_column() -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        parse_cxml(b'<cXML payloadID="1">\n  <Response>\n</cXML>')
    assert caught.value.location == "line 3, column 8"
    assert "an end tag does not match its start tag" in str(caught.value)


def test_document_values_in_messages_are_cut_short() -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        parse_cxml(b"<" + b"x" * 40_000 + b' payloadID="1"/>')
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    "secret_element",
    [
        b"<SharedSecret><![CDATA[s3cret-value</SharedSecret>",
        b"<SharedSecrets3cret-value></Credential>",
        b"<!-- s3cret-value </SharedSecret>",
        b"<SharedSecret s3cret-value</SharedSecret>",
        b"<SharedSecret>pa&s3cret-value;</SharedSecret>",
        b"<SharedSecret>abc<s3cret-value></SharedSecret>",
    ],
    ids=[
        "unclosed CDATA",
        "value glued to the tag name",
        "unclosed comment",
        "the > lost: the value read as an attribute",
        "an & in the value: read as an entity",
        "a < in the value: read as a tag",
    ],
)
def test_parser_messages_quote_nothing_of_the_document(secret_element: bytes) -> None:
    """libxml2 quotes the bytes after an unclosed CDATA section on a second line, and names
    tags: in a cXML header that is the SharedSecret, and the message goes to the partner and
    the document log."""
    body = b'<cXML payloadID="1"><Credential>' + secret_element + b"</cXML>"
    with pytest.raises(MalformedDocumentError) as caught:
        parse_cxml(body)
    assert "s3cret" not in str(caught.value)
    assert caught.value.location


def test_invalid_utf8_location_names_the_byte_offset() -> None:
    body = b'<cXML payloadID="1\xff">'
    with pytest.raises(MalformedDocumentError) as caught:
        parse_cxml(body)
    assert caught.value.location == "byte offset 18"


def test_depth_limit_is_exact() -> None:
    assert parse_cxml(_nested(MAX_DEPTH)).kind == "Response"


@pytest.mark.parametrize(
    "prolog",
    [
        DOCTYPE,
        '<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.050/Fulfill.dtd">',
        "<!DOCTYPE cXML PUBLIC '-//cXML//DTD cXML//EN' 'http://xml.cxml.org/cXML.dtd'>",
        "<!DOCTYPE cXML>",
    ],
)
def test_plain_external_doctype_is_accepted(prolog: str) -> None:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}\n{MINIMAL}'.encode()
    assert parse_cxml(body).payload_id == "1@test"


@pytest.mark.parametrize(
    "encoding", ["UTF-8", "utf-8", "utf8", "US-ASCII", "ascii"], ids=lambda e: e.lower()
)
def test_utf8_and_ascii_declarations_are_accepted(encoding: str) -> None:
    body = f'<?xml version="1.0" encoding="{encoding}"?>{MINIMAL}'.encode()
    assert parse_cxml(body).payload_id == "1@test"


def test_utf8_bom_and_utf8_text_under_an_ascii_declaration_are_read() -> None:
    text = MINIMAL.replace('text="OK"/>', 'text="OK">Gr\u00fc\u00dfe \u65e5\u672c</Status>')
    body = b"\xef\xbb\xbf" + f'<?xml version="1.0" encoding="us-ascii"?>{text}'.encode()
    document = parse_cxml(body)
    assert document.root.findtext("Response/Status") == "Gr\u00fc\u00dfe \u65e5\u672c"


def test_xxe_file_entity_is_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z">'
        '<Response><Status code="200" text="OK">&xxe;</Status></Response></cXML>'
    ).encode()
    with pytest.raises(UnsafeDocumentError) as caught:
        parse_cxml(body)
    assert "TOP-SECRET-CONTENT" not in str(caught.value)


def test_external_dtd_is_not_loaded_so_its_entities_stay_unresolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    evil = tmp_path / "evil.dtd"
    evil.write_text(f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">', encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "{evil.as_uri()}">'
        '<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z">'
        '<Response><Status code="200" text="OK">&xxe;</Status></Response></cXML>'
    ).encode()
    document = parse_cxml(body)
    assert b"TOP-SECRET-CONTENT" not in etree.tostring(document.root)


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # the name http.server dispatches on
        self.requests.append(self.path)
        body = b'<!ENTITY xxe "FETCHED-FROM-NETWORK">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on 127.0.0.1 that records every request it receives."""
    requests: list[str] = []
    handler = type("Handler", (_RecordingHandler,), {"requests": requests})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_xxe_http_entity_is_refused_without_any_request(
    recording_server: tuple[str, list[str]],
) -> None:
    url, requests = recording_server
    body = (
        f'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY xxe SYSTEM "{url}/xxe">]>'
        '<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z">'
        '<Response><Status code="200" text="OK">&xxe;</Status></Response></cXML>'
    ).encode()
    with pytest.raises(UnsafeDocumentError):
        parse_cxml(body)
    assert requests == []


def test_doctype_system_url_is_never_fetched(recording_server: tuple[str, list[str]]) -> None:
    url, requests = recording_server
    body = (
        f'<?xml version="1.0"?><!DOCTYPE cXML SYSTEM "{url}/cXML.dtd">'
        '<cXML payloadID="1" timestamp="2026-11-22T10:30:00Z">'
        '<Response><Status code="200" text="OK">&xxe;</Status></Response></cXML>'
    ).encode()
    document = parse_cxml(body)
    assert b"FETCHED-FROM-NETWORK" not in etree.tostring(document.root)
    assert requests == []


def test_shared_secret_never_appears_in_errors(
    make_order: Callable[..., bytes], order_secret: str
) -> None:
    broken = make_order().replace(b"</Sender>", b"</Sendr>")
    with pytest.raises(MalformedDocumentError) as caught:
        parse_cxml(broken)
    assert order_secret not in str(caught.value)


def test_parsing_from_many_threads_gives_independent_results(
    make_order: Callable[..., bytes],
) -> None:
    bodies = [make_order(payload_id=f"{n}@t", lines=n % 5 + 1) for n in range(40)]
    results: dict[int, str] = {}

    def parse(n: int) -> None:
        results[n] = parse_cxml(bodies[n]).payload_id

    threads = [threading.Thread(target=parse, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: f"{n}@t" for n in range(40)}
