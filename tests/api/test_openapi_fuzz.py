"""Schemathesis runs the published OpenAPI document against the gateway on 127.0.0.1.

Every operation gets schema-valid and schema-invalid requests (coverage and fuzzing phases): no
answer may be a 5xx, and every status and content type must be one the document declares, with
a body that matches its schema. Bounded (a few examples per operation, deterministic) so the
suite stays quick; runs on SQLite and PostgreSQL (NUL bytes are a PostgreSQL-only failure).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway_api.http.app import openapi_document
from gateway_api.http.threaded_server import serve_in_thread
from gateway_api.runtime import build_runtime
from gateway_api.settings import Settings
from gateway_api.store.engine import build_engine
from tests.conftest import BACKENDS
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request
from tests.support.database import sqlite_copy, truncate_all
from tests.support.paths import MAPPINGS_DIR

schemathesis.serializer.alias(["application/edi-x12", "application/edifact"], "text/plain")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG: dict[str, Any] = {
    "generation": {"mode": "all", "max-examples": 20, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
}


@pytest.fixture(scope="module", params=BACKENDS)
def gateway(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The gateway on a real socket, with data in every list (see `_seed`)."""
    if request.param == "sqlite":
        url = sqlite_copy(sqlite_template, tmp_path_factory.mktemp("fuzz"))
    else:
        url = request.getfixturevalue("postgres_url")
        engine = build_engine(url, pool_size=1)
        truncate_all(engine)
        engine.dispose()
    runtime = build_runtime(
        Settings(
            database_url=url,
            mappings_dir=MAPPINGS_DIR,
            hostname="fuzz.b2connect.local",
            profile_recheck_seconds=60,
        ),
        clock=FakeClock(),
    )
    try:
        with serve_in_thread(runtime) as base:
            _seed(base)
            yield base
    finally:
        runtime.close()


schema = schemathesis.openapi.from_dict(
    openapi_document(), config=SchemathesisConfig.from_dict(CONFIG)
)
"""Loaded at import (schemathesis' lazy `from_fixture` loader does not run on pytest 9.2: it
reads `request.node._nodeid`); the document needs no database, the calls go to `gateway`."""


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
def test_every_operation_answers_as_documented(case: schemathesis.Case[Any], gateway: str) -> None:
    case.call_and_validate(base_url=gateway, checks=CHECKS, timeout=30)


def _seed(base: str) -> None:
    """An order with a confirmation in the outbox, and a held order (a dead letter), so the
    list answers are checked against their schemas with real rows in them."""
    stored = httpx.post(f"{base}/cxml/coupa-demo", content=order_request(payload_id="f@x"))
    assert stored.status_code == 200, stored.text
    [order] = httpx.get(f"{base}/orders").json()
    confirmed = httpx.post(f"{base}/orders/{order['id']}/confirmations", json={"type": "accept"})
    assert confirmed.status_code == 201, confirmed.text
    held = order_request(order_id="PO-HELD", payload_id="h@x", lines=[Line("7777")])
    assert httpx.post(f"{base}/cxml/coupa-demo", content=held).status_code == 200
    assert len(httpx.get(f"{base}/dead-letters").json()) == 1
