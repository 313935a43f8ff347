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
from connectors.formats.cxml._redact import CROWDED, MAX_TAGS
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
    "longer name, never closed": f"<SharedSecretX>{SECRET}",
    "value glued to the name, never closed": f"<SharedSecret{SECRET}",
    "unclosed CDATA": f"<SharedSecret><![CDATA[{SECRET}</SharedSecret>",
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


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-32-le"])
@pytest.mark.parametrize("lost", [1, 3])
def test_a_wide_body_that_lost_bytes_before_its_secret_is_still_masked(
    codec: str, lost: int
) -> None:
    """Found by fuzzing: a byte lost in the middle shifts everything after it to another
    alignment than the byte order mark names, where the secret still reads in clear."""
    body = _declared(ORDER, codec).encode(codec)
    cut = len(body) // 8
    body = body[:cut] + body[cut + lost :]

    masked = mask_shared_secrets(body)

    for wide in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        assert SECRET.encode(wide) not in masked


@pytest.mark.parametrize("first", [b"\x01", b"l", b""])
def test_an_ebcdic_body_whose_first_byte_is_damaged_is_still_masked(first: bytes) -> None:
    """Found by fuzzing: EBCDIC was only searched when its first tag or its lack of `<` said
    so, and a body that had lost its first `<` went out in clear."""
    body = first + _declared(ORDER, "cp500").encode("cp500")[1:]

    assert SECRET.encode("cp500") not in mask_shared_secrets(body)


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


BOTH_TAGS_DAMAGED = {
    "a space in both names": f"<Shared Secret>{SECRET}</Shared Secret>",
    "both names cut": f"<SharedSecre>{SECRET}</SharedSecre>",
    "closing tag cut off": f"<SharedSecre>{SECRET}</Sha",
}


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "cp500"])
@pytest.mark.parametrize("tag", BOTH_TAGS_DAMAGED.values(), ids=list(BOTH_TAGS_DAMAGED))
def test_a_secret_whose_both_tags_are_damaged_is_masked_in_its_credential(
    tag: str, codec: str
) -> None:
    """Found by fuzzing: with neither tag reading SharedSecret, the Sender's Credential still
    says where the secret is; its From and To credentials are kept."""
    text = _declared(ORDER, codec).replace(INTACT, tag)

    masked = mask_shared_secrets(text.encode(codec)).decode(codec, errors="replace")

    assert SECRET not in masked
    assert masked.count("<Identity>") == text.count("<Identity>")
    assert masked.count("***") == 1


def test_a_closing_tag_damaged_into_an_opening_one_does_not_hide_the_secret_before_it() -> None:
    """Found by fuzzing: `<SharedSecre>secret<SharedSecret>` has a SharedSecret tag, whose
    value (after it) is empty; the secret before it is loose text in the Sender's Credential."""
    text = ORDER.replace(INTACT, f"<SharedSecre>{SECRET}<SharedSecret>")

    for codec in ("utf-8", "utf-16"):
        masked = mask_shared_secrets(text.encode(codec))
        assert SECRET not in masked.decode(codec, errors="replace")


FLOODS = {
    "credential tags": b"<Sender>" + b"<Credential>x" * (MAX_TAGS + 1),
    "SharedSecret words": b"SharedSecret " * (MAX_TAGS + 1),
    "prefixed pairs": b"<x:SharedSecret>a</x:SharedSecret>" * (MAX_TAGS + 1),
    "UTF-16 tags": ("<SharedSecret>a" * (MAX_TAGS + 1)).encode("utf-16"),
}


@pytest.mark.parametrize("body", FLOODS.values(), ids=list(FLOODS))
def test_a_body_with_more_secret_tags_than_any_cxml_is_withheld(body: bytes) -> None:
    """Found in review: each tag sent the tolerant search to the end of the body, so 400 KB of
    tags took half a minute of CPU. More than `MAX_TAGS` is no cXML document: withheld whole,
    without searching (about 3-15 ms for 1 MB)."""
    assert mask_shared_secrets(body) == CROWDED


def test_a_word_or_attribute_starting_with_sharedsecret_is_not_a_tag() -> None:
    """Found in review: once a longer name was masked like the tag, an Extrinsic named
    `SharedSecretHint` in an order lost its value; and the word in a comment masked the order's
    text up to the next closing tag (its Total)."""
    body = ORDER.replace(
        "</Header>", '</Header><Extrinsic name="SharedSecretHint">keepme</Extrinsic>'
    ).encode()
    body = body.replace(b"<Request", b"<!-- rotate the SharedSecret soon --><Request")

    masked = mask_shared_secrets(body)

    assert SECRET.encode() not in masked
    assert b"keepme" in masked
    assert masked == body.replace(SECRET.encode(), b"***")
