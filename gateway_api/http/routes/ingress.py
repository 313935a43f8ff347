"""Inbound endpoints: one `POST` per protocol, declared by the connectors, not written here.

Every registered INBOUND connector names its protocol's `Ingress`; each distinct ingress with an
HTTP path (`/cxml/{partner_key}`, `/edi/x12/{partner_key}`...) becomes one route that reads the
body under the size limit and hands it to the ingest pipeline. Adding a protocol adds a route
without touching this file.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response

from connectors.core.inbound import InboundRequest, Ingress, Transport
from gateway_api.http.body import read_limited_body
from gateway_api.runtime import Runtime

logger = logging.getLogger(__name__)


def ingress_router(ingresses: Sequence[Ingress]) -> APIRouter:
    """A router with the `POST` route of every ingress that has an HTTP path."""
    router = APIRouter()
    for ingress in ingresses:
        if ingress.path is not None:
            router.add_api_route(
                ingress.path,
                _endpoint(ingress),
                methods=["POST"],
                response_class=Response,
                summary=ingress.summary,
                description=ingress.description,
                tags=[f"{ingress.name} ingress"],
                operation_id=f"receive_{ingress.name.replace('-', '_')}",
                responses=_responses(ingress),
                openapi_extra={
                    "requestBody": {
                        "required": True,
                        "content": {ingress.media_type: {"schema": {"type": "string"}}},
                    }
                },
            )
    return router


def _responses(ingress: Ingress) -> dict[int | str, dict[str, Any]]:
    answer = {"content": {ingress.media_type: {"schema": {"type": "string"}}}}
    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "Stored (or held for review); the answer in the partner's protocol",
            **answer,
        }
    }
    for status, meaning in sorted(ingress.refusal_statuses.items()):
        responses[status] = {"description": meaning}
    return responses


def _endpoint(ingress: Ingress) -> Any:
    async def receive(partner_key: str, request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        limit = runtime.settings.max_body_bytes
        body = await read_limited_body(request, limit)
        inbound = InboundRequest(
            body=body.data,
            transport=Transport.HTTP,
            headers={k.lower(): v for k, v in request.headers.items()},
            remote_addr=request.client.host if request.client else None,
            content_type=request.headers.get("content-type"),
        )
        pipeline = runtime.ingest
        if body.oversized:
            work = functools.partial(
                pipeline.refuse_oversized,
                partner_key,
                inbound,
                size=body.size,
                limit=limit,
                ingress=ingress,
            )
        else:
            work = functools.partial(pipeline.receive, partner_key, inbound, ingress=ingress)
        # A bounded number of threads per process: beyond a few, threads only contend for the
        # GIL and the connection pool (B2CONNECT_INGEST_THREADS).
        limiter: anyio.CapacityLimiter = request.app.state.ingest_limiter
        try:
            result = await anyio.to_thread.run_sync(work, limiter=limiter)
        except Exception:
            # A bug of ours, never the sender's fault: answer in the partner's protocol (a 500
            # it retries) rather than with a bare HTTP 500, and keep the traceback in the log.
            logger.exception("unexpected failure on POST %s", request.url.path)
            reply = pipeline.internal_error(ingress)
            return Response(reply.body, status_code=reply.status, media_type=reply.content_type)
        reply = result.reply
        headers = (
            {"X-B2Connect-Document-Id": str(result.document_id)} if result.document_id else None
        )
        return Response(
            reply.body, status_code=reply.status, media_type=reply.content_type, headers=headers
        )

    receive.__name__ = f"receive_{ingress.name.replace('-', '_')}"
    receive.__doc__ = ingress.summary
    return receive
