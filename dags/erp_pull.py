"""DAG `erp_pull`: every 5 minutes, the ERP's side of every order, one mapped task per ERP.

For each partner whose connector is an ERP (LOGO):

1. `queue_sales_orders`: every open order of every channel (cXML, X12, EDIFACT, Coupa's API)
   that has no sales order yet is queued in the outbox, once (an anti-join, so a run that dies
   queues nothing twice and misses nothing);
2. `deliver_sales_orders`: the outbox delivers them; the connector looks each document number
   up before creating it, so a crash between sending and recording never makes a second sales
   order; LOGO's validation errors are dead letters with LOGO's own text, 5xx and timeouts are
   retried with backoff by the outbox;
3. `read_erp`: the ERP's delivery notes since the cursor become the buyers' ship notices (each
   note once, by its reference), and for an ERP that cannot push, the items, prices and stock
   its profile names (`catalog_pull`) are applied like an integration API call.

The ship notices leave with the next `outbox_sweep` (or at once through `b2connect worker`).
A refused LOGO login fails the task at once and alerts; an unreachable LOGO is retried.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from hub_tasks import hub_dag, partners_for, run_job

JOB = "erp-pull"


@dag(
    dag_id="erp_pull",
    schedule=timedelta(minutes=5),
    tags=["b2connect", "erp"],
    doc_md=__doc__,
    **hub_dag("erp_pull", deadline=timedelta(minutes=20)),
)
def erp_pull() -> None:
    """Per ERP partner: queue the sales orders, deliver them, read the ERP back."""

    @task
    def partners() -> list[str]:
        """Partners whose connector is an ERP (resolved when the run starts)."""
        return partners_for(JOB)

    @task(max_active_tis_per_dagrun=2)
    def queue_sales_orders(partner_key: str) -> dict[str, object]:
        """Queue the orders this ERP has not been sent yet."""
        return run_job("queue-sales-orders", partner_key)

    @task(max_active_tis_per_dagrun=2)
    def deliver_sales_orders(partner_key: str) -> dict[str, object]:
        """Create the queued sales orders in the ERP (look up first, then create)."""
        return run_job("dispatch-outbox", partner_key)

    @task(max_active_tis_per_dagrun=2)
    def read_erp(partner_key: str) -> dict[str, object]:
        """Delivery notes into ship notices; the catalogue of an ERP that cannot push."""
        return run_job(JOB, partner_key)

    keys = partners()
    (
        queue_sales_orders.expand(partner_key=keys)
        >> deliver_sales_orders.expand(partner_key=keys)
        >> read_erp.expand(partner_key=keys)
    )


erp_pull()
