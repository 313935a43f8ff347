"""A Coupa purchase order as JSON (partners.md §1.1's reconstruction, Turkish ship-to)."""

from __future__ import annotations

import copy
from typing import Any

_ORDER: dict[str, Any] = {
    "id": 6112,
    "po-number": "6112",
    "status": "issued",
    "version": 1,
    "internal-revision": 1,
    "exported": False,
    "acknowledged-at": None,
    "transmission-status": "sent_via_cxml",
    "created-at": "2024-01-10T09:15:02+03:00",
    "updated-at": "2024-01-10T09:20:11+03:00",
    "currency": {"code": "TRY"},
    "payment-term": {"code": "Net 30"},
    "supplier": {"id": 42, "name": "ACME Ltd", "number": "SUP-0042"},
    "ship-to-address": {
        "id": 301,
        "name": "Main WH",
        "location-code": "IST-01",
        "street1": "Eski Büyükdere Cad. 3",
        "street2": "Kat 4, Şişli",
        "city": "İstanbul",
        "state": "İstanbul",
        "postal-code": "34398",
        "country": {"code": "TR"},
        "attention": "Gülşen Çağlar",
    },
    "order-lines": [
        {
            "id": 9001,
            "line-num": "1",
            "description": "Pallet wrap 50cm",
            "quantity": "10.0",
            "price": "150.00",
            "total": "1500.00",
            "uom": {"code": "EA"},
            "source-part-num": "PW-50",
            "need-by-date": "2024-01-20T00:00:00+03:00",
            "account": {"code": "100-200"},
        },
        {
            "id": 9002,
            "line-num": "2",
            "description": "Koli bandı 45mm",  # noqa: RUF001 - Turkish dotless i, on purpose
            "quantity": "3",
            "price": "32.5",
            "uom": {"code": "RO"},
            "source-part-num": "KB-45",
            "item": {"item-number": "BUYER-77"},
        },
    ],
}


def sample_order() -> dict[str, Any]:
    """A fresh copy of the sample order, safe to change."""
    return copy.deepcopy(_ORDER)
