"""Operations: liveness and readiness for load balancers, Prometheus metrics for monitoring."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.observability import GatewayMetrics
from gateway_api.http.openapi import UNAUTHORIZED
from gateway_api.runtime import Runtime
from gateway_api.services.partners import PartnerState
from gateway_api.services.queries import Backlog
from gateway_api.store.ports import StoreError

router = APIRouter(tags=["operations"])


class HealthOut(BaseModel):
    """The gateway's state. Counts only: this endpoint is public, and partner keys must not be
    enumerable (`GET /partners`, with the operator token, names them)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    status: str
    """`ok`, or `degraded` when the database does not answer."""
    database: str
    """`ok` or `unreachable`."""
    partners: int
    """Partner profiles serving."""
    partners_disabled: int
    """Partner profiles that cannot be built (see `GET /partners`)."""
    outbox_pending: int | None
    """Outbound documents waiting for delivery (null when the database does not answer)."""
    outbox_dead: int | None
    """Outbound documents that gave up (each has a dead letter)."""
    dead_letters_open: int | None
    """Dead letters waiting for a fix and a replay."""


def _backlog(runtime: Runtime) -> Backlog | None:
    try:
        return runtime.queries.backlog()
    except StoreError:
        return None


@router.get(
    "/health",
    summary="Is the gateway up, its database reachable, and does anything wait?",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "The database does not answer"}},
)
async def health(runtime: RuntimeDep) -> JSONResponse:
    """200 with component states and backlogs when healthy, 503 when the database is down."""
    backlog = await run_in_threadpool(_backlog, runtime)
    statuses = await run_in_threadpool(runtime.directory.statuses)
    body = HealthOut(
        status="ok" if backlog else "degraded",
        database="ok" if backlog else "unreachable",
        partners=sum(s.state is PartnerState.READY for s in statuses),
        partners_disabled=sum(s.state is PartnerState.BROKEN for s in statuses),
        outbox_pending=backlog.outbox.get("pending", 0) if backlog else None,
        outbox_dead=backlog.outbox.get("dead", 0) if backlog else None,
        dead_letters_open=backlog.open_dead_letters if backlog else None,
    )
    return JSONResponse(body.model_dump(), status_code=200 if backlog else 503)


def get_metrics(request: Request) -> GatewayMetrics:
    """The app's metrics (built by `create_app`)."""
    metrics: GatewayMetrics = request.app.state.metrics
    return metrics


@router.get(
    "/metrics",
    summary="Prometheus metrics (requests, documents received, outbox backlog, dead letters)",
    response_class=Response,
    dependencies=[Depends(require_operator)],
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}},
        **UNAUTHORIZED,
    },
)
async def metrics(
    runtime: RuntimeDep, metrics: Annotated[GatewayMetrics, Depends(get_metrics)]
) -> Response:
    """Text exposition format. Needs the operator token (labels name partners); the backlog
    gauges are read from the database on each scrape (they keep their last value while it does
    not answer; `/health` says so)."""
    backlog = await run_in_threadpool(_backlog, runtime)
    if backlog is not None:
        metrics.set_backlog(backlog.outbox, backlog.open_dead_letters)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
