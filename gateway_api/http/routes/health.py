"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep
from gateway_api.runtime import Runtime

router = APIRouter(tags=["health"])


def _database_ok(runtime: Runtime) -> bool:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError:
        return False
    return True


@router.get("/health", summary="Is the gateway up and its database reachable?")
async def health(runtime: RuntimeDep) -> JSONResponse:
    """200 with component states when healthy, 503 when the database does not answer."""
    database = await run_in_threadpool(_database_ok, runtime)
    body: dict[str, Any] = {
        "status": "ok" if database else "degraded",
        "database": "ok" if database else "unreachable",
        "partners": len(runtime.directory.all()),
    }
    return JSONResponse(body, status_code=200 if database else 503)
