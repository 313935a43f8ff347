"""Every shared third-party OrderRequest through the HTTP ingress of a demo partner.

Each sample keeps its body; only its Header is replaced by a demo partner's credentials (the
samples' own credentials belong to strangers). The partner's cross-reference learns the sample's
part numbers first, as an engineer onboarding that buyer would do.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import rehead
from tests.support.paths import CXML_SAMPLES, order_request_samples

SAMPLES = order_request_samples()
PARTNERS = itertools.cycle(["coupa-demo", "ariba-demo", "jaggaer-demo"])
SAMPLE_PARTNER = {sample: next(PARTNERS) for sample in SAMPLES}
INVALID = {
    "chefworks-cxml-tester/p6t__static__cxml__order.xml": "OrderRequest has no ItemOut",
}


def _id(path: Path) -> str:
    return path.relative_to(CXML_SAMPLES).as_posix()


def test_all_six_order_request_samples_are_found() -> None:
    assert len(SAMPLES) == 6, SAMPLES


def _teach_crossref(mappings_dir: Path, partner: str, sample: bytes) -> int:
    root = etree.fromstring(sample, etree.XMLParser(resolve_entities=False, no_network=True))
    items = root.findall("Request/OrderRequest/ItemOut")
    rows = []
    for item in items:
        for tag in ("ItemID/SupplierPartID", "ItemID/BuyerPartID"):
            part = item.findtext(tag)
            if part:
                rows.append(f'"{part.strip()}","SKU-{part.strip()}",sample part\n')
    xref = mappings_dir / "partners" / partner / "part_xref.csv"
    xref.write_text(xref.read_text() + "".join(sorted(set(rows))))
    return len(items)


@pytest.mark.parametrize("sample", SAMPLES, ids=[_id(s) for s in SAMPLES])
def test_sample_order_request_through_ingress(
    client: TestClient, mappings_dir: Path, sample: Path
) -> None:
    partner = SAMPLE_PARTNER[sample]
    body = rehead(sample.read_bytes(), partner)
    lines = _teach_crossref(mappings_dir, partner, body)

    response = client.post(f"/cxml/{partner}", content=body)
    answer = status_of(response.content)

    if _id(sample) in INVALID:
        assert (response.status_code, answer.code) == (400, 400)
        assert INVALID[_id(sample)] in answer.message
        assert client.get("/orders").json() == []
        return
    assert (response.status_code, answer.code) == (200, 200), answer
    [listed] = client.get("/orders", params={"partner": partner}).json()
    order = client.get(f"/orders/{listed['id']}").json()
    document = order["document"]
    source = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    header = source.find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None
    assert document["order_id"] == header.get("orderID")
    assert len(document["lines"]) == lines
    assert all(line["sku"] and line["sku"].startswith("SKU-") for line in document["lines"])
    assert all(line["unit_of_measure"] == "EA" for line in document["lines"])
    assert order["history"][0]["payload_id"] == source.get("payloadID")
