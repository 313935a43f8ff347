"""What the connector contract promises the user, through the real app on both databases:
one bad document never takes the good ones of its body with it, dead letters find their
document by position, and partner profiles fail alone and load live."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import text

from connectors.core import ConnectorContext
from connectors.formats.x12 import TransactionSet, read_x12
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.partners import PartnerDirectory
from gateway_api.settings import Settings
from mappings.engine import MappingStore
from tests.support.clock import FakeClock
from tests.support.paths import REPO_ROOT
from tests.support.x12_documents import (
    EDI_DEMO,
    EDI_DEMO_TOKEN,
    interchange,
    order_850,
    retailer_interchange,
)

AUTH = {"Authorization": f"Bearer {EDI_DEMO_TOKEN}", "Content-Type": "application/edi-x12"}
B2CONNECT = str(Path(sys.executable).parent / "b2connect")


def _bad_850(order_id: str, control: str) -> list[str]:
    """An 850 whose PO1 quantity is not a number: unreadable, so rejected in the 997."""
    segments = order_850(order_id, [("AC-1001", 1, "1")], control=control)
    return [s.replace("PO1*1*1*EA", "PO1*1*many*EA") for s in segments]


def _two_good_one_bad() -> bytes:
    return retailer_interchange(
        order_850("RT-G1", [("AC-1001", 2, "1.50")], control="0001"),
        _bad_850("RT-BAD", "0002"),
        order_850("RT-G2", [("AC-1002", 3, "2.00")], control="0003"),
        control="000000501",
    )


def test_two_good_850s_are_stored_and_the_bad_one_is_rejected_in_the_997(
    client: TestClient,
) -> None:
    response = client.post("/edi/x12/edi-demo", content=_two_good_one_bad(), headers=AUTH)
    assert response.status_code == 200, response.text
    orders = client.get("/orders", params={"partner": "edi-demo"}).json()
    assert sorted(o["order_id"] for o in orders) == ["RT-G1", "RT-G2"]
    text_997 = response.text.replace("\n", "")
    assert "AK2*850*0001~AK5*A~" in text_997
    assert "AK2*850*0002~" in text_997
    assert "AK2*850*0003~AK5*A~" in text_997
    assert "AK9*P*3*3*2~" in text_997  # partially accepted: 3 sets, 3 received, 2 accepted
    [ack] = [e for e in read_x12(response.content) if isinstance(e, TransactionSet)]
    assert ack.set_id == "997"
    # The body is logged once; the rejection is not a dead letter (the 997 told the sender).
    inbound = client.get("/documents", params={"direction": "inbound"}).json()
    assert [d["outcome"] for d in inbound] == ["processed"]
    assert client.get("/dead-letters").json() == []


def test_a_resend_of_the_interchange_changes_nothing(client: TestClient) -> None:
    first = client.post("/edi/x12/edi-demo", content=_two_good_one_bad(), headers=AUTH)
    again = client.post("/edi/x12/edi-demo", content=_two_good_one_bad(), headers=AUTH)
    assert again.content == first.content  # the original 997, byte for byte
    assert len(client.get("/orders", params={"partner": "edi-demo"}).json()) == 2


def test_translate_prints_every_good_document_of_a_file_with_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "mailbag.edi"
    path.write_bytes(_two_good_one_bad())
    result = subprocess.run(
        [B2CONNECT, "translate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 1  # not everything translated
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["ok"] is False
    assert [d["order_id"] for d in record["documents"]] == ["RT-G1", "RT-G2"]
    [problem] = record["problems"]
    assert "many" in problem or "PO102" in problem


def test_a_dead_letter_finds_its_document_by_position_not_by_its_message(
    client: TestClient, runtime: Runtime, mappings_dir: Path
) -> None:
    unknown = order_850("RT-HELD", [("AC-9999", 1, "1")], control="0002")
    good = order_850("RT-OK", [("AC-1001", 1, "1")], control="0001")
    client.post("/edi/x12/edi-demo", content=retailer_interchange(good, unknown), headers=AUTH)
    [letter] = client.get("/dead-letters").json()
    with runtime.engine.begin() as connection:  # whatever the message says now
        connection.execute(text("UPDATE dead_letters SET error = 'edited by a person'"))
    with runtime.uow() as uow:
        stored = uow.dead_letters.get(_uuid(letter["id"]))
    assert stored is not None
    assert stored.position == {"interchange": "000000101", "group": "1", "set": "0002"}
    xref = mappings_dir / "partners" / "edi-demo" / "part_xref.csv"
    xref.write_text(xref.read_text() + "AC-9999,B2C-9999,late addition\n")
    replay = client.post(f"/dead-letters/{letter['id']}/replay")
    assert replay.status_code == 200, replay.text
    orders = client.get("/orders", params={"partner": "edi-demo"}).json()
    assert sorted(o["order_id"] for o in orders) == ["RT-HELD", "RT-OK"]


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


# -- partner profiles: fail alone, load live -------------------------------------------------


def _profile(mappings_dir: Path, key: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (mappings_dir / "partners" / key / "profile.yaml").read_text()
    )
    return loaded


def _write(mappings_dir: Path, key: str, profile: dict[str, Any]) -> None:
    (mappings_dir / "partners" / key / "profile.yaml").write_text(yaml.safe_dump(profile))


@pytest.fixture
def live(settings: Settings, clock: FakeClock) -> Iterator[tuple[TestClient, Runtime]]:
    """The app with profiles looked at on every request (`profile_recheck_seconds` 0)."""
    assert settings.profile_recheck_seconds == 0
    runtime = build_runtime(settings, clock=clock)
    runtime.sync_partners()
    with TestClient(create_app(runtime=runtime)) as client:
        yield client, runtime


def test_a_broken_profile_disables_only_its_partner(
    live: tuple[TestClient, Runtime], mappings_dir: Path
) -> None:
    client, runtime = live
    profile = _profile(mappings_dir, "edi-demo")
    profile["connector_config"]["acknowledgment"] = "998"  # not a choice
    _write(mappings_dir, "edi-demo", profile)
    body = retailer_interchange(order_850("RT-X", [("AC-1001", 1, "1")]))
    assert client.post("/edi/x12/edi-demo", content=body, headers=AUTH).status_code == 401
    health = client.get("/health").json()
    profiles = len(list((mappings_dir / "partners").glob("*/profile.yaml")))
    assert (health["partners"], health["partners_disabled"]) == (profiles - 1, 1)
    statuses = {p["key"]: p for p in client.get("/partners").json()}
    assert statuses["edi-demo"]["state"] == "broken"
    assert "acknowledgment" in statuses["edi-demo"]["reason"]
    assert statuses["coupa-demo"]["state"] == "ready"
    assert runtime.directory.get("coupa-demo") is not None


def test_a_fixed_profile_and_a_new_partner_serve_without_a_restart(
    live: tuple[TestClient, Runtime], mappings_dir: Path
) -> None:
    """A new folder serves at once; a changed profile within `profile_recheck_seconds`."""
    _fixed_and_new_partner(live[0], mappings_dir)


def _fixed_and_new_partner(client: TestClient, mappings_dir: Path) -> None:
    body = retailer_interchange(order_850("RT-NEW", [("AC-1001", 1, "1")]))
    assert client.post("/edi/x12/acme-two", content=body, headers=AUTH).status_code == 401
    shutil.copytree(mappings_dir / "partners" / "edi-demo", mappings_dir / "partners" / "acme-two")
    profile = _profile(mappings_dir, "acme-two")
    profile["key"] = "acme-two"
    profile["parts"]["crossref"] = "partners/acme-two/part_xref.csv"
    _write(mappings_dir, "acme-two", profile)
    response = client.post("/edi/x12/acme-two", content=body, headers=AUTH)
    assert response.status_code == 200, response.text
    [order] = client.get("/orders", params={"partner": "acme-two"}).json()
    assert order["order_id"] == "RT-NEW"
    # A change of an existing profile takes effect on the next request, too.
    profile["connector_config"]["acknowledgment"] = "none"
    _write(mappings_dir, "acme-two", profile)
    later = retailer_interchange(order_850("RT-NEW2", [("AC-1001", 1, "1")]), control="000000102")
    assert client.post("/edi/x12/acme-two", content=later, headers=AUTH).status_code == 202


def test_partners_check_names_the_broken_profile_and_its_reason(
    mappings_dir: Path, tmp_path: Path
) -> None:
    profile = _profile(mappings_dir, "coupa-demo")
    profile["connector"] = "no-such-connector"
    _write(mappings_dir, "coupa-demo", profile)
    env = {
        "B2CONNECT_MAPPINGS_DIR": str(mappings_dir),
        "B2CONNECT_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [B2CONNECT, "partners", "check", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    rows = {row["key"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["coupa-demo"]["state"] == "broken"
    assert "no-such-connector" in rows["coupa-demo"]["reason"]
    assert {row["state"] for key, row in rows.items() if key != "coupa-demo"} == {"ready"}


def test_a_value_the_store_refuses_refuses_only_its_set(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection on both databases: the store refuses one order's values (out of range).

    The transaction is tried whole, then each set in a savepoint: only that set is rejected in
    the 997, the other is stored (not a 503 the partner would resend forever).
    """
    from sqlalchemy.exc import DataError

    from gateway_api.services import ingest

    decide = ingest.decide_order_change

    def refuse_one(uow: Any, envelope: Any) -> Any:
        if envelope.document.order_id == "RT-OUT-OF-RANGE":
            raise DataError("INSERT ...", {}, ValueError("numeric field overflow"))
        return decide(uow, envelope)

    monkeypatch.setattr(ingest, "decide_order_change", refuse_one)
    body = retailer_interchange(
        order_850("RT-FINE", [("AC-1001", 1, "1")], control="0001"),
        order_850("RT-OUT-OF-RANGE", [("AC-1001", 1, "1")], control="0002"),
        control="000000601",
    )
    response = client.post("/edi/x12/edi-demo", content=body, headers=AUTH)
    assert response.status_code == 200, response.text
    flat = response.text.replace("\n", "")
    assert "AK2*850*0001~AK5*A~" in flat
    assert "AK2*850*0002~" in flat
    assert "AK9*P*2*2*1~" in flat
    orders = client.get("/orders", params={"partner": "edi-demo"}).json()
    assert [o["order_id"] for o in orders] == ["RT-FINE"]


def test_a_changed_profile_takes_effect_after_the_recheck_interval(mappings_dir: Path) -> None:
    ticks = [0.0]
    directory = PartnerDirectory(
        MappingStore(mappings_dir),
        context=ConnectorContext(),
        production=False,
        recheck_seconds=1.0,
        monotonic=lambda: ticks[0],
    )
    assert directory.get("edi-demo") is not None
    profile = _profile(mappings_dir, "edi-demo")
    profile["enabled"] = False
    _write(mappings_dir, "edi-demo", profile)
    ticks[0] = 0.5
    assert directory.get("edi-demo") is not None  # its file was looked at half a second ago
    ticks[0] = 1.5
    assert directory.get("edi-demo") is None  # looked at again: disabled now


def test_an_unreadable_acknowledgement_is_held_for_a_person(client: TestClient) -> None:
    """A 997 is never acknowledged, so refusing a broken one would tell nobody: it is held."""
    broken_997 = ["ST*997*0001", "AK9*A*1*1*1", "SE*3*0001"]  # no AK1: not a readable 997
    body = interchange([broken_997], functional_id="FA", control="000000701", **EDI_DEMO)
    response = client.post("/edi/x12/edi-demo", content=body, headers=AUTH)
    assert response.status_code == 202  # nothing to acknowledge
    [letter] = client.get("/dead-letters").json()
    assert letter["stage"] == "malformed"
    assert letter["error"].startswith("997 000000701/1/0001 (ISA13/GS06/ST02): ")
