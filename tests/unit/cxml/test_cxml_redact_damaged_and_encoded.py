"""The SharedSecret is masked in every body we store: damaged tags, UTF-16/32, EBCDIC.

The byte-level fast path only sees an intact `<SharedSecret>...</SharedSecret>` in an
ASCII-compatible body. Anything else (a tag with a byte changed, lower case, a namespace prefix,
a body in UTF-16, UTF-32 or EBCDIC) is masked on the decoded text, and a body that cannot be
read as text at all is withheld, so the secret can never be read back from the document log.
"""

from __future__ import annotations

import gzip

import pytest

from connectors.formats.cxml import mask_shared_secrets
from tests.support.cxml_builder import order_request

SECRET = "coupa-demo-secret"
ORDER = order_request(payload_id="redact@x").decode()
INTACT = f"<SharedSecret>{SECRET}</SharedSecret>"
assert INTACT in ORDER

DAMAGED_TAGS = {
    "opening tag name changed": f"<SharedSecreX>{SECRET}</SharedSecret>",
    "closing tag name changed": f"<SharedSecret>{SECRET}</SharedSecreX>",
    "opening < lost": f"SharedSecret>{SECRET}</SharedSecret>",
    "opening > lost": f"<SharedSecret{SECRET}</SharedSecret>",
    "closing slash lost": f"<SharedSecret>{SECRET}<SharedSecret>",
    "lower case": f"<sharedsecret>{SECRET}</sharedsecret>",
    "upper case": f"<SHAREDSECRET>{SECRET}</SHAREDSECRET>",
    "namespace prefix": f"<c:SharedSecret>{SECRET}</c:SharedSecret>",
    "CDATA value": f"<SharedSecret><![CDATA[{SECRET}]]></SharedSecret>",
}


@pytest.mark.parametrize("tag", DAMAGED_TAGS.values(), ids=list(DAMAGED_TAGS))
def test_a_damaged_shared_secret_tag_is_still_masked(tag: str) -> None:
    body = ORDER.replace(INTACT, tag).encode()

    masked = mask_shared_secrets(body)

    assert SECRET.encode() not in masked
    assert b"***" in masked
    assert masked.startswith(body[: body.index(b"<Sender>")])  # the rest is kept


ENCODINGS = {
    "UTF-16 with BOM": ("utf-16", b""),
    "UTF-16LE without BOM": ("utf-16-le", b""),
    "UTF-16BE without BOM": ("utf-16-be", b""),
    "UTF-16BE with BOM": ("utf-16-be", "\ufeff".encode("utf-16-be")),
    "UTF-32 with BOM": ("utf-32", b""),
    "UTF-32LE without BOM": ("utf-32-le", b""),
    "UTF-32BE without BOM": ("utf-32-be", b""),
    "EBCDIC cp037": ("cp037", b""),
    "EBCDIC cp500": ("cp500", b""),
    "EBCDIC cp1140": ("cp1140", b""),
}


def _declared(text: str, codec: str) -> str:
    return text.replace("encoding='UTF-8'", f"encoding='{codec}'")


@pytest.mark.parametrize(("codec", "prefix"), ENCODINGS.values(), ids=list(ENCODINGS))
def test_a_body_in_another_encoding_is_masked_on_its_decoded_text(
    codec: str, prefix: bytes
) -> None:
    text = _declared(ORDER, codec)
    body = prefix + text.encode(codec)

    masked = mask_shared_secrets(body)

    decoded = masked[len(prefix) :].decode(codec)
    assert SECRET not in decoded
    assert decoded == text.replace(INTACT, "<SharedSecret>***</SharedSecret>")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "cp037"])
def test_a_damaged_tag_in_another_encoding_is_masked(codec: str) -> None:
    text = _declared(ORDER, codec).replace(INTACT, DAMAGED_TAGS["opening tag name changed"])

    masked = mask_shared_secrets(text.encode(codec))

    assert SECRET not in masked.decode(codec)


def test_a_utf16_body_whose_first_bytes_are_damaged_is_still_masked() -> None:
    body = b"\x00\x00" + ORDER.encode("utf-16-le")[2:]

    masked = mask_shared_secrets(body)

    assert SECRET.encode("utf-16-le") not in masked
    assert SECRET.encode("utf-16-be") not in masked


def test_a_utf16_body_of_odd_length_is_masked() -> None:
    body = ORDER.encode("utf-16") + b"\x3c"

    assert SECRET.encode("utf-16-le") not in mask_shared_secrets(body)


def test_a_body_that_cannot_be_read_as_text_is_withheld() -> None:
    """A compressed body hides the secret from any scan; storing it would store the secret."""
    body = gzip.compress(ORDER.encode(), mtime=0)

    masked = mask_shared_secrets(body)

    assert masked != body
    assert b"withheld" in masked
    assert body[10:] not in masked


def test_an_ordinary_utf8_order_is_masked_as_before() -> None:
    masked = mask_shared_secrets(ORDER.encode())

    assert masked == ORDER.replace(INTACT, "<SharedSecret>***</SharedSecret>").encode()


def test_bodies_without_a_secret_are_kept_as_they_are() -> None:
    for body in (b"", b"<cXML/>", "<cXML>\u00e9</cXML>".encode(), b"ISA*00*", b"{}"):
        assert mask_shared_secrets(body) == body
