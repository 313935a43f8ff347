"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep
from gateway_api.runtime import Runtime
from gateway_api.services.partners import PartnerState
from gateway_api.store.ports import StoreError

router = APIRouter(tags=["health"])


def _database_ok(runtime: Runtime) -> bool:
    try:
        with runtime.uow() as uow:
            uow.outbox.counts()
    except StoreError:
        return False
    return True


@router.get("/health", summary="Is the gateway up and its database reachable?")
async def health(runtime: RuntimeDep) -> JSONResponse:
    """200 with component states when healthy, 503 when the database does not answer."""
    database = await run_in_threadpool(_database_ok, runtime)
    statuses = await run_in_threadpool(runtime.directory.statuses)
    # Counts only: this endpoint is public, and partner keys must not be enumerable.
    # `GET /partners` (operator token) names them, with each broken profile's reason.
    body: dict[str, Any] = {
        "status": "ok" if database else "degraded",
        "database": "ok" if database else "unreachable",
        "partners": sum(s.state is PartnerState.READY for s in statuses),
        "partners_disabled": sum(s.state is PartnerState.BROKEN for s in statuses),
    }
    return JSONResponse(body, status_code=200 if database else 503)
