"""What every B2Connect DAG shares: retry policy, partner credentials from Airflow Connections,
the task that runs one hub job, and failure notifications.

DAG files stay thin (schedule, wiring, docs); everything here is cheap to import: the gateway is
imported inside task bodies, so parsing a DAG file touches no database and no network.
`.airflowignore` keeps the dag-processor from parsing this file for DAGs; DAG files import it
because Airflow puts the dags folder on `sys.path`.

Credentials: partner profiles reference secrets as `env:VARNAME`. A task fills those variables
from the Airflow Connection `b2connect_<partner key>` (dashes become underscores), whose `extra`
is a JSON object of variable names to values, e.g. `{"COUPA_API_KEY": "..."}`; its password,
when set, fills `<PARTNER_KEY>_SECRET`. Connections win over the process environment, so secrets
can be rotated in the Airflow UI without restarting anything.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseNotifier, get_current_context
from airflow.sdk.definitions.callback import SyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference
from airflow.sdk.exceptions import AirflowException, AirflowFailException

if TYPE_CHECKING:
    from gateway_api.runtime import Runtime

logger = logging.getLogger("b2connect.dags")

OWNER = "integration"


def _seconds(name: str, default: float) -> float:
    """A duration from the environment (tests shorten retry delays), read at parse time."""
    return float(os.environ.get(name, default))


RETRY_DELAY = timedelta(seconds=_seconds("B2CONNECT_DAG_RETRY_DELAY_SECONDS", 30))
MAX_RETRY_DELAY = timedelta(minutes=10)


START_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def hub_dag(flow: str, *, deadline: timedelta | None = None) -> dict[str, Any]:
    """The `@dag` arguments every hub flow shares: no catch-up (a missed sweep is not owed),
    one run at a time (runs of a flow must not overlap), retries and the failure notifier; and,
    for a flow with a deadline, an alert when a run is not done `deadline` after it was queued."""
    settings: dict[str, Any] = {
        "start_date": START_DATE,
        "catchup": False,
        "max_active_runs": 1,
        "default_args": default_args(),
    }
    if deadline is not None:
        settings["deadline"] = DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=deadline,
            callback=SyncCallback(
                "gateway_api.services.alerts.deadline_missed",
                kwargs={"flow": flow, "deadline": f"{deadline.total_seconds() / 60:g} minutes"},
            ),
        )
    return settings


def default_args(*, retries: int = 3) -> dict[str, Any]:
    """Retries with exponential backoff (30 s, 1 min, 2 min... up to 10 min) and a failure
    notification; auth and configuration failures skip the retries (`run_job`)."""
    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": RETRY_DELAY,
        "retry_exponential_backoff": True,
        "max_retry_delay": MAX_RETRY_DELAY,
        "on_failure_callback": [HubFailureNotifier()],
    }


class HubFailureNotifier(BaseNotifier):
    """Tells a person that a hub flow failed for good (after its retries, or at once for auth
    and configuration problems): logged at ERROR and posted to `B2CONNECT_ALERT_WEBHOOK`."""

    def notify(self, context: Any) -> None:
        """Send the alert for the failed task instance in `context`."""
        from gateway_api.services.alerts import send_alert

        ti = context["ti"]
        error = context.get("exception")
        send_alert(
            f"b2connect {ti.dag_id}.{ti.task_id} failed",
            f"run {ti.run_id}, try {ti.try_number}: {error}",
        )


def connection_id(partner_key: str) -> str:
    """The Airflow Connection holding a partner's secrets."""
    return "b2connect_" + partner_key.replace("-", "_").lower()


def partner_environ(partner_keys: Iterable[str]) -> dict[str, str]:
    """The process environment plus the secrets of the partners' Airflow Connections."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowRuntimeError

    environ = dict(os.environ)
    for key in partner_keys:
        try:
            connection = Connection.get(connection_id(key))
        except (AirflowRuntimeError, AirflowException):
            continue  # no connection: the partner's secrets come from the environment
        environ.update({str(k): str(v) for k, v in connection.extra_dejson.items()})
        if connection.password:
            environ[key.replace("-", "_").upper() + "_SECRET"] = connection.password
    return environ


def open_hub(partner_key: str | None = None) -> Runtime:
    """The gateway runtime for a task, with the partners' credentials from Airflow."""
    from gateway_api.cli_runtime import open_runtime
    from gateway_api.runtime import configured_partner_keys
    from gateway_api.settings import get_settings

    keys = [partner_key] if partner_key is not None else configured_partner_keys(get_settings())
    return open_runtime(environ=partner_environ(keys))


def partners_for(job: str) -> list[str]:
    """The partners `job` has work for now (dynamic task mapping is resolved at run time)."""
    from gateway_api.services.jobs import SCOPES

    runtime = open_hub()
    try:
        keys = [p.key for p in runtime.directory.all() if SCOPES[job].serves(p)]
    finally:
        runtime.close()
    logger.info("%s: %d partners: %s", job, len(keys), ", ".join(keys) or "none")
    return keys


def run_job(job: str, partner_key: str | None = None) -> dict[str, object]:
    """Run hub job `job` (for one partner, when given) inside the current task: every document
    it logs is tagged with this task instance; the report is logged and returned (XCom).
    An auth or configuration problem fails the task without retries; a transient one raises
    for Airflow to retry with backoff."""
    from gateway_api.services.job_problems import JobFailedError
    from gateway_api.services.jobs import run_scheduled
    from gateway_api.store.records import JobRunTag

    ti = get_current_context()["ti"]
    map_index = getattr(ti, "map_index", -1)
    tag = JobRunTag(ti.dag_id, ti.run_id, ti.task_id, -1 if map_index is None else map_index)
    runtime = open_hub(partner_key)
    try:
        report = run_scheduled(job, runtime, partner_key=partner_key, tag=tag)
    except JobFailedError as error:
        if error.retryable:
            raise AirflowException(str(error)) from error
        raise AirflowFailException(str(error)) from error
    finally:
        runtime.close()
    logger.info("%s%s: %s", job, f" for {partner_key}" if partner_key else "", summary(report))
    return report


def summary(report: dict[str, object]) -> str:
    """`3 claimed, 3 delivered, 1 errors` from a JSON-ready report."""
    parts = []
    for name, value in report.items():
        if isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"{value} {name.replace('_', ' ')}")
        elif isinstance(value, list) and value:
            parts.append(f"{len(value)} {name.replace('_', ' ')}")
    return ", ".join(parts) or "nothing to do"
