"""The FastAPI application factory (`create_app`), the only place FastAPI is assembled."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi_offline import FastAPIOffline

from connectors.core.inbound import Ingress
from gateway_api.http.group_commit import IngestWriter
from gateway_api.http.observability import AccessLogMiddleware, GatewayMetrics
from gateway_api.http.openapi import TAGS, operation_id, with_problem_details
from gateway_api.http.problems import install_problem_handlers
from gateway_api.http.routes import (
    carrier_shipments,
    dead_letters,
    documents,
    fulfilment,
    health,
    integration,
    orders,
    partners,
    reconciliation,
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
        writer = IngestWriter(
            runtime.ingest,
            threads=runtime.settings.ingest_threads,
            max_group=runtime.settings.ingest_group_max,
            observe_group=app.state.metrics.ingest_groups.observe,
        )
        app.state.ingest_writer = writer
        runtime.sync_partners()
        writer.start()
        # Everything allocated so far lives as long as the process: keep it out of the cyclic
        # garbage collector's scans on the ingest path.
        gc.freeze()
        logger.info("gateway ready with partners: %s", [p.key for p in runtime.directory.all()])
        try:
            yield
        finally:
            writer.close()
            runtime.close()

    app = _assemble(lifespan=lifespan)
    app.state.runtime = runtime
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, without a database or settings (exports, contract tests)."""
    return _assemble().openapi()


def _assemble(lifespan: Any = None) -> FastAPI:
    """Routes, error handlers, middleware and documentation; no runtime yet.

    The docs (`/docs`, `/redoc`) load Swagger UI and ReDoc from files shipped in the
    `fastapi-offline` package, not from a CDN: sites without internet access see them too.
    """
    ingresses = registered_ingresses()
    app = FastAPIOffline(
        title="B2Connect procurement gateway",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[*TAGS, integration.TAG, *_ingress_tags(ingresses)],
        generate_unique_id_function=operation_id,
    )
    metrics = GatewayMetrics()
    app.state.metrics = metrics
    app.add_middleware(AccessLogMiddleware, metrics=metrics)
    install_problem_handlers(app)
    app.include_router(ingress_router(ingresses))
    for module in (
        orders,
        fulfilment,
        carrier_shipments,
        documents,
        dead_letters,
        reconciliation,
        partners,
        health,
        integration,  # its routes carry their own API-key dependency (deps.require_scope)
    ):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        """A person who opens the server's address lands on the API documentation."""
        return RedirectResponse("/docs")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = with_problem_details(FastAPI.openapi(app))
            # An ingress takes any bytes and any partner key: it answers in its protocol and
            # never with the JSON API's 422 that FastAPI lists for every path parameter.
            for ingress in ingresses:
                if ingress.path is not None:
                    document["paths"][ingress.path]["post"]["responses"].pop("422", None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _ingress_tags(ingresses: Sequence[Ingress]) -> list[dict[str, str]]:
    return [
        {"name": f"{i.name} ingress", "description": i.summary}
        for i in ingresses
        if i.path is not None
    ]
