"""Regression tests for defects a review found in the connector-contract change: each failed
before its fix (file drop and store outage, UNA masking in a mailbag, long interchange
references, a listener that fails, the OAuth2 secret in a token endpoint's error page)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from connectors.core import ConnectorContext, TransientError
from connectors.core.oauth2 import OAuth2ClientCredentials
from connectors.edifact_partner.ingress import EDIFACT_INGRESS
from gateway_api.services.file_drops import poll_file_drops
from gateway_api.services.ingest import ID_LIMIT, IngestPipeline, stored_key
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.ports import StoreUnavailableError
from mappings.engine import MappingStore
from tests.support.clock import FakeClock
from tests.support.fake_store import FakeStore, fake_unit_of_work_factory
from tests.support.x12_documents import order_850, retailer_interchange


def _directory(mappings_dir: Path, clock: FakeClock) -> PartnerDirectory:
    context = ConnectorContext(clock=clock, hostname="test.b2connect.local")
    return PartnerDirectory(
        MappingStore(mappings_dir), context=context, production=False, recheck_seconds=0
    )


def test_a_file_stays_in_the_drop_when_the_store_is_down(
    mappings_dir: Path, clock: FakeClock
) -> None:
    import yaml

    drop = mappings_dir.parent / "drop"
    path = mappings_dir / "partners" / "edi-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["connector_config"]["file_drop"] = str(drop)
    path.write_text(yaml.safe_dump(profile))
    (drop / "inbound").mkdir(parents=True)
    (drop / "inbound" / "po.edi").write_bytes(
        retailer_interchange(order_850("RT-DOWN", [("AC-1001", 1, "1")]))
    )
    store = FakeStore()
    directory = _directory(mappings_dir, clock)
    context = ConnectorContext(clock=clock)
    pipeline = IngestPipeline(
        fake_unit_of_work_factory(store), directory, clock=clock, context=context
    )
    store.fail_next_commit(StoreUnavailableError("down"))
    report = poll_file_drops(directory, pipeline)
    assert (report.archived, report.rejected) == (0, 0)
    assert report.errors
    assert [p.name for p in (drop / "inbound").iterdir()] == ["po.edi"]
    assert not (drop / "error").exists() or list((drop / "error").iterdir()) == []
    again = poll_file_drops(directory, pipeline)
    assert again.archived == 1
    assert len(store.orders) == 1


def test_the_unb_password_is_masked_in_every_interchange_of_a_mailbag() -> None:
    first = b"UNA:|.? 'UNB|UNOC:3|A:14|B:14|200101:1200|1|PW1'UNZ|0|1'"
    text = b"UNB+UNOC:3+A:14+B:14+200101:1200+2+PW2'FTX+AAI+++ITEM UNAVAILABLE'UNZ+0+2'"
    third = b"UNB+UNOC:3+A:14+B:14+200101:1200+3+PW3'UNZ+0+3'"
    masked = EDIFACT_INGRESS.redact(first + b"\n" + text + b"\n" + third)
    for secret in (b"PW1", b"PW2", b"PW3"):
        assert secret not in masked


def test_long_idempotency_keys_are_stored_as_their_hash() -> None:
    short = "ZZ:A:ZZ:B:1"
    assert stored_key(short) == short
    long = "14:A:14:B:" + "9" * 300
    assert len(stored_key(long)) <= ID_LIMIT
    assert stored_key(long) == stored_key(long)
    assert stored_key(long) != stored_key(long + "0")


def test_a_failed_listener_is_tried_again_on_the_next_lookup(
    mappings_dir: Path, clock: FakeClock
) -> None:
    import shutil

    directory = _directory(mappings_dir, clock)
    calls: list[str] = []

    def listener(partner: Partner) -> None:
        calls.append(partner.key)
        if len(calls) == 1:
            raise RuntimeError("the database blinked")

    directory.on_change(listener)
    shutil.copytree(mappings_dir / "partners" / "edi-demo", mappings_dir / "partners" / "acme-x")
    profile_path = mappings_dir / "partners" / "acme-x" / "profile.yaml"
    profile_path.write_text(
        profile_path.read_text()
        .replace("key: edi-demo", "key: acme-x")
        .replace("partners/edi-demo/", "partners/acme-x/")
    )
    assert directory.get("acme-x") is not None
    assert directory.get("acme-x") is not None
    assert calls == ["acme-x", "acme-x"]  # failed once, then recorded
    directory.get("acme-x")
    assert calls == ["acme-x", "acme-x"]  # and not again


def test_the_client_secret_never_shows_in_a_token_endpoint_error(clock: FakeClock) -> None:
    secret = "Very-Secret-Value/42+x"

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=b"<pre>500: " + request.content + b"</pre>")

    auth = OAuth2ClientCredentials(
        "https://coupa.test/oauth2/token",
        client_id="hub",
        client_secret=SecretStr(secret),
        scopes=("a",),
        clock=clock,
    )
    client = httpx.Client(transport=httpx.MockTransport(echo))
    flow = auth.sync_auth_flow(client.build_request("GET", "https://coupa.test/api/x"))
    token_request = next(flow)
    with pytest.raises(TransientError) as raised:
        flow.send(client.send(token_request))
    assert secret not in str(raised.value)
    assert "Very-Secret-Value%2F42%2Bx" not in str(raised.value)
