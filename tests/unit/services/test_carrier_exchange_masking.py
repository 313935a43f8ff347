"""Carrier exchanges reach the document log with every credential masked, however short."""

from __future__ import annotations

from gateway_api.services.carrier_exchanges import mask_secrets


def test_secret_named_xml_elements_are_masked_with_any_prefix_or_attributes() -> None:
    body = (
        b"<soap:Envelope><ns0:createShipment><wsUserName>YKTEST</wsUserName>"
        b"<wsPassword>YK</wsPassword><tem:Password xsi:type='s'>p&amp;w</tem:Password>"
        b"<cargoKey>B2C-1</cargoKey></ns0:createShipment></soap:Envelope>"
    )
    masked = mask_secrets(body, ())
    assert b"<wsPassword>***</wsPassword>" in masked
    assert b"<tem:Password xsi:type='s'>***</tem:Password>" in masked
    assert b"<wsUserName>YKTEST</wsUserName>" in masked
    assert b"<cargoKey>B2C-1</cargoKey>" in masked


def test_secret_named_json_fields_are_masked_escapes_included() -> None:
    body = b'{"customerNumber": "27", "password": "p\\"w", "jwt": "eyJ", "client_secret":"z"}'
    masked = mask_secrets(body, ())
    assert masked == (
        b'{"customerNumber": "27", "password": "***", "jwt": "***", "client_secret":"***"}'
    )


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    body = b"<Note>the key is Very-Secret-Value-1</Note>"
    assert mask_secrets(body, ("Very-Secret-Value-1",)) == b"<Note>the key is ***</Note>"
