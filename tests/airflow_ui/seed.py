"""The data the hub pages are tested on, made through the real services: orders placed through
the ingest pipeline (one of them while an Airflow task instance is tagged), a dead letter held on
an unmapped part, and a body that tries to inject markup."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from gateway_api.runtime import Runtime
from gateway_api.store.job_tags import tagged_with
from gateway_api.store.records import JobRunTag
from tests.support.cxml_answers import receive_cxml
from tests.support.cxml_builder import Line, order_request

TASK = JobRunTag(
    dag_id="order_pull",
    run_id="manual__2026-12-06T01:00:00+00:00",
    task_id="pull_partner",
    map_index=0,
)
"""The task instance the tagged order arrives under ('+' and ':' as Airflow's run ids have)."""
OTHER_TASK = JobRunTag(dag_id=TASK.dag_id, run_id=TASK.run_id, task_id=TASK.task_id, map_index=1)
INJECTION = "<script>alert('hub')</script>"
_COMMENT = b"<!-- " + INJECTION.encode() + b" -->"


@dataclass(frozen=True)
class Seeded:
    """Ids the tests look for."""

    tagged: list[UUID]
    """Documents logged under `TASK`."""
    other_task: list[UUID]
    """Documents logged under the same task with another map index."""
    coupa_order: UUID
    """The inbound document of PO-HUB-1 (Coupa, tagged)."""
    ariba_order: UUID
    """The inbound document of PO-HUB-2 (Ariba, untagged)."""
    dead_letter: UUID
    """Held on the unmapped part CP-4242 (PO-HUB-3); replays once the cross-reference has it."""
    injected: UUID
    """An order whose payloadID and raw bytes carry markup (PO-EVIL)."""


def seed(runtime: Runtime) -> Seeded:
    """Place the orders, hold the dead letter, log the injection attempt."""
    with tagged_with(TASK):
        coupa = _receive(runtime, "coupa-demo", "PO-HUB-1", "hub-1@coupa", "1001")
    tagged = _ids_since(runtime, before=set())
    with tagged_with(OTHER_TASK):
        _receive(runtime, "coupa-demo", "PO-HUB-4", "hub-4@coupa", "1002")
    other = _ids_since(runtime, before=set(tagged))
    ariba = _receive(runtime, "ariba-demo", "PO-HUB-2", "hub-2@ariba", "1001")
    _receive(runtime, "coupa-demo", "PO-HUB-3", "hub-3@coupa", "4242")
    [letter] = runtime.dead_letters.list(status="open")
    body = order_request(order_id="PO-EVIL", payload_id=INJECTION, lines=[Line("1001")])
    receive_cxml(runtime, "coupa-demo", body.replace(b"<Request", _COMMENT + b"<Request", 1))
    [injected] = runtime.queries.documents(payload_id=INJECTION, direction="inbound")
    return Seeded(
        tagged=tagged,
        other_task=other,
        coupa_order=coupa,
        ariba_order=ariba,
        dead_letter=letter.id,
        injected=injected.id,
    )


def fix_the_mapping(mappings_dir: Path) -> None:
    """Teach the Coupa cross-reference the part the dead letter is held on."""
    xref = mappings_dir / "partners" / "coupa-demo" / "part_xref.csv"
    xref.write_text(xref.read_text() + "CP-4242,B2C-4242,Fixed\n")


def _receive(runtime: Runtime, partner: str, order_id: str, payload_id: str, part: str) -> UUID:
    body = order_request(
        partner=partner, order_id=order_id, payload_id=payload_id, lines=[Line(part)]
    )
    receive_cxml(runtime, partner, body)
    [document] = runtime.queries.documents(payload_id=payload_id, direction="inbound")
    return document.id


def _ids_since(runtime: Runtime, *, before: set[UUID]) -> list[UUID]:
    return sorted(
        (d.id for d in runtime.queries.documents(limit=1000) if d.id not in before), key=str
    )
