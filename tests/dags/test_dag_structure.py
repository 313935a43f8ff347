"""The DAG files parse fast, touch no database or network while parsing, and each DAG has the
schedule, retry policy, overlap guard, docs and alerts its flow needs."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.dags.conftest import DAGS_DIR

EXPECTED = {
    "outbox_sweep": timedelta(minutes=5),
    "file_drop_poll": timedelta(minutes=2),
    "order_pull": timedelta(minutes=15),
    "dead_letter_replay": timedelta(minutes=10),
    "reconciliation": timedelta(hours=1),
    "raw_document_retention": timedelta(days=1),
    "track_shipments": timedelta(minutes=30),
    "erp_pull": timedelta(minutes=5),
    "sync_inventory": timedelta(minutes=15),
    "sync_prices": timedelta(hours=1),
}
PARSE_BUDGET_SECONDS = 10.0
"""The whole folder, in a process that has imported Airflow (about 1 s here)."""


class _NoNetworkError(Exception):
    pass


@pytest.fixture(scope="module")
def bag() -> Any:
    """The DAG folder parsed with the network and the gateway database out of reach: a DAG
    file that opened either would be an import error."""
    from airflow.dag_processing.dagbag import BundleDagBag

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise _NoNetworkError("a DAG file opened a connection at parse time")

    original = socket.socket.connect
    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("B2CONNECT_DATABASE_URL", "sqlite:////nonexistent/dir/b2connect.db")
        started = time.perf_counter()
        try:
            # As the dag-processor parses a bundle: its folder on sys.path (for hub_tasks).
            parsed = BundleDagBag(dag_folder=str(DAGS_DIR), bundle_path=DAGS_DIR)
        finally:
            socket.socket.connect = original  # type: ignore[method-assign]
        parsed.parse_seconds = time.perf_counter() - started
    return parsed


def test_every_dag_imports_without_errors_within_the_budget(bag: Any) -> None:
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == set(EXPECTED)
    assert bag.parse_seconds < PARSE_BUDGET_SECONDS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED))
def test_schedule_retries_and_docs(bag: Any, dag_id: str) -> None:
    dag = bag.dags[dag_id]
    assert dag.timetable.delta == EXPECTED[dag_id]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert "b2connect" in dag.tags
    assert dag.doc_md
    assert len(dag.doc_md) > 200
    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff
        assert task.on_failure_callback, task.task_id


@pytest.mark.parametrize(
    "dag_id", ["outbox_sweep", "file_drop_poll", "order_pull", "track_shipments"]
)
def test_partner_fan_out_is_mapped_at_run_time(bag: Any, dag_id: str) -> None:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    dag = bag.dags[dag_id]
    mapped = [t for t in dag.tasks if isinstance(t, MappedOperator)]
    assert len(mapped) == 1
    assert [u.task_id for u in mapped[0].upstream_list] == ["partners"]


@pytest.mark.parametrize(
    ("dag_id", "steps"),
    [
        ("erp_pull", ["queue_sales_orders", "deliver_sales_orders", "read_erp"]),
        ("sync_inventory", ["queue_feed", "deliver"]),
        ("sync_prices", ["queue_feed", "deliver"]),
    ],
)
def test_partner_steps_are_mapped_over_the_same_partners_in_order(
    bag: Any, dag_id: str, steps: list[str]
) -> None:
    """Each step is one mapped task per partner, all expanded over the partners resolved at
    run time, and each waits for the one before (a sales order is delivered after it is
    queued; the ERP is read after the orders reached it)."""
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    dag = bag.dags[dag_id]
    mapped = {t.task_id: t for t in dag.tasks if isinstance(t, MappedOperator)}
    assert sorted(mapped) == sorted(steps)
    for before, step in zip(["partners", *steps], steps, strict=False):
        assert before in {u.task_id for u in mapped[step].upstream_list}, (before, step)


@pytest.mark.parametrize("dag_id", ["outbox_sweep", "reconciliation", "erp_pull"])
def test_flows_with_a_deadline_alert_on_it(bag: Any, dag_id: str) -> None:
    (alert,) = bag.dags[dag_id].deadline
    assert alert.interval <= timedelta(minutes=30)
    assert "deadline_missed" in str(alert.callback.path)
