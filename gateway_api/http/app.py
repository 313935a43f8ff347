"""The FastAPI application factory (`create_app`), the only place FastAPI is assembled."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from gateway_api.http.problems import install_problem_handlers
from gateway_api.http.routes import (
    dead_letters,
    documents,
    fulfilment,
    health,
    orders,
    partners,
)
from gateway_api.http.routes.ingress import ingress_router
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.partners import registered_ingresses
from gateway_api.settings import Settings, get_settings

logger = logging.getLogger(__name__)

DESCRIPTION = """\
B2Connect receives purchase orders from procurement platforms and trading partners (each
protocol's endpoint is declared by its connector), stores each exactly once (canonical and raw),
answers in the sender's protocol, and lets integration engineers see every document and replay
what was held.
"""


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app for `settings` (default: from the environment).

    Pass a prepared `runtime` to share services with a test; otherwise one is built here (not at
    import time) and closed when the app shuts down.
    """
    runtime = runtime or build_runtime(settings or get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ingest_limiter = anyio.CapacityLimiter(runtime.settings.ingest_threads)
        runtime.sync_partners()
        # Everything allocated so far lives as long as the process: keep it out of the cyclic
        # garbage collector's scans on the ingest path.
        gc.freeze()
        logger.info("gateway ready with partners: %s", [p.key for p in runtime.directory.all()])
        yield
        runtime.close()

    app = FastAPI(
        title="B2Connect procurement gateway",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.include_router(ingress_router(registered_ingresses()))
    for module in (orders, fulfilment, documents, dead_letters, partners, health):
        app.include_router(module.router)
    return app
