"""The last safeguard: known secret values masked in every encoding, longest first."""

from __future__ import annotations

import pytest

from gateway_api.services.known_secrets import (
    ENCODINGS,
    scrub_known_secrets,
    scrub_known_secrets_in_text,
)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_copy_is_masked_in_its_own_encoding(encoding: str) -> None:
    text = "a s3cret-value here, s3cret-value there"

    scrubbed = scrub_known_secrets(text.encode(encoding), ["s3cret-value"])

    assert scrubbed.decode(encoding) == "a *** here, *** there"


def test_a_secret_holding_another_is_masked_whole() -> None:
    body = b"<x>abcdefgh-long-secret</x><y>abcdefgh</y>"

    scrubbed = scrub_known_secrets(body, ["abcdefgh", "abcdefgh-long-secret"])

    assert scrubbed == b"<x>***</x><y>***</y>"


def test_short_and_empty_values_are_not_searched() -> None:
    body = b'<Status code="400" text="Bad Request">2025</Status>'

    assert scrub_known_secrets(body, ["", "10", "2025", "Status"]) == body
    assert scrub_known_secrets_in_text("line 10", ["10"]) == "line 10"


def test_sentences_are_masked() -> None:
    assert scrub_known_secrets_in_text("bad value 's3cret!!'", ["s3cret!!"]) == "bad value '***'"
