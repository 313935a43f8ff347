"""Fuzzing fixtures: hypothesis settings, an admin token, seed bodies from the golden cases.

The app, runtime and databases are the suite's own (tests/conftest.py): each fuzz test runs on
SQLite and, marked `postgres`, on PostgreSQL. Settings are applied per test with `FUZZ` rather
than loaded as a global profile, so that the rest of the suite's hypothesis tests keep theirs.

- default: 80-200 examples per test, derandomized and without an example database, so CI runs
  the same inputs every time (the whole directory, both backends, in about a minute on two cores);
- `B2CONNECT_FUZZ_EXAMPLES=N`: N examples per test, random (a campaign); with
  `B2CONNECT_FUZZ_REPORT=file.jsonl` violations are collected there instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from gateway_api.settings import Settings
from tests.fuzz.mutations import Seed
from tests.support.cxml_builder import DEMO, Line, order_request
from tests.support.edifact_documents import EDIFACT_DEMO_TOKEN, orders_message
from tests.support.edifact_documents import retailer_interchange as edifact_interchange
from tests.support.paths import MAPPINGS_DIR
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange

EXAMPLES_VAR = "B2CONNECT_FUZZ_EXAMPLES"
ADMIN_TOKEN = "fuzz-admin-token-0123456789abcdef"
OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

_campaign = int(os.environ.get(EXAMPLES_VAR, "0") or 0)
_HEALTH = [
    HealthCheck.function_scoped_fixture,  # the store is reset per example (reset_store)
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
]
hypothesis_settings.register_profile(
    "b2connect-fuzz",
    max_examples=_campaign or 40,
    derandomize=not _campaign,
    database=None,
    deadline=None,
    suppress_health_check=_HEALTH,
    print_blob=True,
)


def fuzz_settings(examples: int) -> hypothesis_settings:
    """This test's settings: `examples` by default, the campaign's count when one runs."""
    profile = hypothesis_settings.get_profile("b2connect-fuzz")
    return hypothesis_settings(profile, max_examples=_campaign or examples)


@pytest.fixture
def settings(database_url: str, mappings_dir: Path) -> Settings:
    """The suite's test settings, with an admin token (the operator endpoints are fuzzed with
    it, and it must never be readable back)."""
    return Settings(
        database_url=database_url,
        mappings_dir=mappings_dir,
        hostname="test.b2connect.local",
        database_pool_size=4,
        profile_recheck_seconds=0,
        admin_token=ADMIN_TOKEN,
    )


CXML_SECRETS = {key: identity.partners.shared_secret for key, identity in DEMO.items()}


def cxml_seeds() -> list[Seed]:
    """The golden cXML cases of each demo platform, and built orders with non-ASCII text."""
    seeds = []
    for partner in sorted(CXML_SECRETS):
        cases = MAPPINGS_DIR / "partners" / partner / "cases"
        new = (cases / "order_new.xml").read_bytes()
        secret = CXML_SECRETS[partner]
        seeds.append(Seed(f"{partner}/order_new.xml", new, partner, secret))
        update = (cases / "order_update.xml").read_bytes()
        seeds.append(Seed(f"{partner}/order_update.xml", update, partner, secret, before=new))
        built = order_request(
            partner=partner,
            order_id="PO-FUZZ-1",
            payload_id=f"fuzz-{partner}@buyer.example",
            lines=[Line("1001", description="Prüfgerät 5 µm, Größe M"), Line("1002")],
        )
        seeds.append(Seed(f"{partner}/built", built, partner, CXML_SECRETS[partner]))
    return seeds


def x12_seeds() -> list[Seed]:
    """The golden 850 interchange, and built ones: two sets, and one asking for a TA1."""
    golden = MAPPINGS_DIR / "partners" / "edi-demo" / "cases" / "order_850.edi"
    two_sets = retailer_interchange(
        order_850("RT-F1", [("AC-1001", 10, "4.50"), ("AC-1002", 3, "1.20")]),
        order_850("RT-F2", [("AC-1003", 1, "12.00")], control="0002"),
        control="000000311",
    )
    with_ta1 = retailer_interchange(
        order_850("RT-F3", [("AC-1001", 2, "4.50")]), control="000000312", ack="1"
    )
    return [
        Seed("edi-demo/order_850.edi", golden.read_bytes(), "edi-demo", EDI_DEMO_TOKEN),
        Seed("edi-demo/two-sets", two_sets, "edi-demo", EDI_DEMO_TOKEN),
        Seed("edi-demo/ta1-requested", with_ta1, "edi-demo", EDI_DEMO_TOKEN),
    ]


def edifact_seeds() -> list[Seed]:
    """The golden ORDERS interchange, and a built one with two messages."""
    golden = MAPPINGS_DIR / "partners" / "edifact-demo" / "cases" / "order_orders.edi"
    built = edifact_interchange(
        orders_message("EF-1", [("ED-1001", "10", "4.50")]),
        orders_message("EF-2", [("ED-1002", "2", "12.00")], reference="2"),
        control="5001",
    )
    return [
        Seed(
            "edifact-demo/order_orders.edi", golden.read_bytes(), "edifact-demo", EDIFACT_DEMO_TOKEN
        ),
        Seed("edifact-demo/two-messages", built, "edifact-demo", EDIFACT_DEMO_TOKEN),
    ]
