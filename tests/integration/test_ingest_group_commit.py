"""Group commit on SQLite and PostgreSQL: a group reads its keys and locks its orders in two
statements and commits once; what the group writes is seen by its later bodies; the HTTP
writer answers only after the commit and groups what waits."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from connectors.core.inbound import Disposition, InboundRequest
from connectors.cxml_platform import CXML_INGRESS
from gateway_api.http.group_commit import IngestWriter
from gateway_api.runtime import Runtime
from gateway_api.services.ingest import IngestResult, OpenedBody
from gateway_api.store import tables as t
from tests.support.cxml_builder import order_request

CXML = "coupa-demo"


class Statements:
    """SELECTs and COMMITs the engine ran while counting."""

    def __init__(self) -> None:
        self.selects: list[str] = []
        self.commits = 0

    def statement(self, *args: Any) -> None:
        sql = str(args[2])
        if sql.lstrip().upper().startswith("SELECT"):
            self.selects.append(sql)

    def commit(self, *args: Any) -> None:
        del args
        self.commits += 1


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[Statements]:
    counted = Statements()
    event.listen(runtime.engine, "before_cursor_execute", counted.statement)
    event.listen(runtime.engine, "commit", counted.commit)
    yield counted
    event.remove(runtime.engine, "before_cursor_execute", counted.statement)
    event.remove(runtime.engine, "commit", counted.commit)


def opened(runtime: Runtime, *bodies: bytes) -> list[OpenedBody]:
    result = []
    for body in bodies:
        request = InboundRequest(body=body, content_type="text/xml; charset=utf-8")
        body_opened = runtime.ingest.open(CXML, request, ingress=CXML_INGRESS)
        assert isinstance(body_opened, OpenedBody)
        result.append(body_opened)
    return result


def dispositions(results: list[IngestResult | Exception]) -> list[Disposition]:
    assert all(isinstance(r, IngestResult) for r in results), results
    return [r.results[0].disposition for r in results if isinstance(r, IngestResult)]


def orders(runtime: Runtime) -> dict[str, int]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(t.orders.c.order_id, t.orders.c.version))
        return {row.order_id: row.version for row in rows}


def test_a_group_reads_in_two_statements_and_commits_once(
    runtime: Runtime, statements: Statements
) -> None:
    group = opened(
        runtime,
        *(order_request(order_id=f"PO-{n}", payload_id=f"p{n}@buyer") for n in range(1, 9)),
    )
    statements.selects.clear()
    statements.commits = 0

    results = runtime.ingest.process_together(group)

    assert dispositions(results) == [Disposition.STORED] * 8
    assert len(statements.selects) == 2, statements.selects  # keys, then orders FOR UPDATE
    assert statements.commits == 1
    assert orders(runtime) == {f"PO-{n}": 1 for n in range(1, 9)}


def test_prefetched_rows_answer_repeats_updates_and_what_the_group_itself_wrote(
    runtime: Runtime,
) -> None:
    first = order_request(order_id="PO-1", payload_id="a@buyer")
    (alone,) = runtime.ingest.process_together(opened(runtime, first))
    assert dispositions([alone]) == [Disposition.STORED]
    group = opened(
        runtime,
        first,  # stored before: its key is found by the prefetch
        order_request(order_id="PO-1", change="update", payload_id="b@buyer"),  # locked order
        order_request(order_id="PO-2", payload_id="c@buyer"),
        order_request(order_id="PO-2", change="update", payload_id="d@buyer"),  # written above
        order_request(order_id="PO-2", change="update", payload_id="d@buyer"),  # key above
    )

    results = runtime.ingest.process_together(group)

    assert dispositions(results) == [
        Disposition.DUPLICATE,
        Disposition.STORED,
        Disposition.STORED,
        Disposition.STORED,
        Disposition.DUPLICATE,
    ]
    assert orders(runtime) == {"PO-1": 2, "PO-2": 2}
    with runtime.engine.connect() as connection:
        keys = connection.execute(select(func.count()).select_from(t.idempotency_keys)).scalar()
    assert keys == 4


def test_the_writer_groups_what_waits_and_answers_after_the_commit(runtime: Runtime) -> None:
    """One writer thread, busy with a first body while five more queue: they are stored as one
    group of five, and no answer arrives before its group is committed."""
    pipeline = runtime.ingest
    groups: list[int] = []
    committed = threading.Event()
    store_together = pipeline.process_together

    def spy(bodies: list[OpenedBody]) -> list[IngestResult | Exception]:
        groups.append(len(bodies))
        results = store_together(bodies)
        committed.set()
        return results

    busy, release = threading.Event(), threading.Event()

    def work(number: int) -> Any:
        if number == 0:
            busy.set()
            release.wait(10)
        request = InboundRequest(
            body=order_request(order_id=f"PO-{number}", payload_id=f"w{number}@buyer"),
            content_type="text/xml; charset=utf-8",
        )
        return pipeline.open(CXML, request, ingress=CXML_INGRESS)

    observed: list[int] = []
    writer = IngestWriter(pipeline, threads=1, max_group=64, observe_group=observed.append)
    writer.start()

    async def post_all() -> list[IngestResult]:
        waiting = [asyncio.ensure_future(writer.submit(lambda: work(0)))]
        await asyncio.to_thread(busy.wait, 10)  # the writer is opening the first body
        waiting += [asyncio.ensure_future(writer.submit(lambda n=n: work(n))) for n in range(1, 6)]
        await asyncio.sleep(0.3)
        assert not any(task.done() for task in waiting)
        release.set()
        return list(await asyncio.gather(*waiting))

    try:
        pipeline.process_together = spy  # type: ignore[method-assign]
        answers = asyncio.run(post_all())
    finally:
        writer.close()
    assert committed.is_set()
    assert groups == [1, 5]
    assert observed == [1, 5]  # the metrics' histogram sees each group
    assert [a.results[0].disposition for a in answers] == [Disposition.STORED] * 6
    assert len(orders(runtime)) == 6


def test_a_failing_open_is_that_request_s_error_only(runtime: Runtime) -> None:
    writer = IngestWriter(runtime.ingest, threads=2, max_group=8)
    writer.start()

    def broken() -> OpenedBody:
        raise RuntimeError("a bug of ours")

    def good() -> OpenedBody | IngestResult:
        request = InboundRequest(
            body=order_request(order_id="PO-9", payload_id="g@buyer"),
            content_type="text/xml; charset=utf-8",
        )
        return runtime.ingest.open(CXML, request, ingress=CXML_INGRESS)

    async def both() -> list[IngestResult | BaseException]:
        return list(
            await asyncio.gather(writer.submit(broken), writer.submit(good), return_exceptions=True)
        )

    try:
        failed, answered = asyncio.run(both())
    finally:
        writer.close()
    assert isinstance(failed, RuntimeError)
    assert isinstance(answered, IngestResult)
    assert orders(runtime) == {"PO-9": 1}


def test_a_writer_that_fails_on_a_group_answers_it_and_goes_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = IngestWriter(runtime.ingest, threads=1, max_group=8)
    store = writer._store
    calls: list[int] = []

    def fail_once(jobs: list[Any]) -> list[Any]:
        calls.append(len(jobs))
        if len(calls) == 1:
            raise RuntimeError("a bug in the writer")
        return store(jobs)

    monkeypatch.setattr(writer, "_store", fail_once)
    writer.start()

    def good() -> OpenedBody | IngestResult:
        request = InboundRequest(
            body=order_request(order_id="PO-10", payload_id="h@buyer"),
            content_type="text/xml; charset=utf-8",
        )
        return runtime.ingest.open(CXML, request, ingress=CXML_INGRESS)

    async def twice() -> tuple[IngestResult | BaseException, IngestResult]:
        (failed,) = await asyncio.gather(writer.submit(good), return_exceptions=True)
        return failed, await writer.submit(good)

    try:
        failed, answered = asyncio.run(twice())
    finally:
        writer.close()
    assert isinstance(failed, RuntimeError)
    assert answered.results[0].disposition is Disposition.STORED
    assert orders(runtime) == {"PO-10": 1}
