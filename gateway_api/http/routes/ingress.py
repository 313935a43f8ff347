"""Inbound endpoints: one `POST` per protocol, declared by the connectors, not written here.

Every registered INBOUND connector names its protocol's `Ingress`; each distinct ingress with an
HTTP path (`/cxml/{partner_key}`, `/edi/x12/{partner_key}`...) becomes one route that reads the
body under the size limit and hands it to the ingest pipeline. Adding a protocol adds a route
without touching this file.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from connectors.core.contract import ConnectorContext
from connectors.core.errors import AuthenticityError, ConnectorError, DocumentError
from connectors.core.inbound import (
    PROBLEM_JSON,
    BodyTooLargeError,
    Disposition,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    Ingress,
    StoreUnavailableError,
    Transport,
)
from gateway_api.http.body import read_limited_body
from gateway_api.http.group_commit import IngestWriter, Work
from gateway_api.http.observability import GatewayMetrics, printable
from gateway_api.http.openapi import PROBLEM_REF
from gateway_api.runtime import Runtime
from gateway_api.services.ingest import IngestResult

logger = logging.getLogger(__name__)

SAMPLE_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
"""The time in the documented example answers."""


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


_SAMPLE_REFUSALS: tuple[ConnectorError, ...] = (
    DocumentError("the body is not readable"),
    AuthenticityError("unknown partner or invalid credentials"),
    BodyTooLargeError(size=2_000_000, limit=1_000_000),
    StoreUnavailableError("the store is unavailable; retry later"),
)
"""One refusal of each kind the pipeline produces; the ingress answers each, and its answer is
the documented example of that status (cXML Response, problem+json...)."""

_DOCUMENT_ID_HEADER = {
    "X-B2Connect-Document-Id": {
        "description": "The body's id in the document log (`GET /documents/{id}`)",
        "schema": {"type": "string", "format": "uuid"},
    }
}


def _responses(ingress: Ingress) -> dict[int | str, dict[str, Any]]:
    """Every status the ingress answers with, each with its own media type and example.

    The refusal answers are the ingress's own (`reply_refusal`), so the document shows what a
    partner really receives; statuses the ingress declares that no sample produces (cXML 406
    and 409 come from the acknowledgement) carry the body media type of its answers, except a
    2xx other than 200, which acknowledges without a body (X12 and EDIFACT 202).
    """
    samples = _refusal_samples(ingress)
    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "Stored (or held for review); the answer in the partner's protocol",
            "content": {ingress.media_type: {"schema": {"type": "string"}}},
            "headers": _DOCUMENT_ID_HEADER,
        }
    }
    for status, meaning in sorted(ingress.refusal_statuses.items()):
        response: dict[str, Any] = {"description": meaning}
        sample = samples.get(status)
        if sample is not None and sample.content_type:
            media_type = sample.content_type.split(";")[0].strip()
            response["content"] = {media_type: _example(sample)}
        elif not 200 <= status < 300:
            response["content"] = {ingress.media_type: {"schema": {"type": "string"}}}
        responses[status] = response
    return responses


def _refusal_samples(ingress: Ingress) -> dict[int, InboundReply]:
    context = ConnectorContext(clock=lambda: SAMPLE_TIME, hostname="gateway.example")
    samples: dict[int, InboundReply] = {}
    for error in _SAMPLE_REFUSALS:
        reply = ingress.reply_refusal(InboundRefusal(error), context)
        samples.setdefault(reply.status, reply)
    return samples


def _example(reply: InboundReply) -> dict[str, Any]:
    text = reply.body.decode("utf-8", "replace")
    if reply.content_type == PROBLEM_JSON:
        return {"schema": {"$ref": PROBLEM_REF}, "example": json.loads(text)}
    return {"schema": {"type": "string"}, "example": text}


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
        work: Work
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
            work = functools.partial(pipeline.open, partner_key, inbound, ingress=ingress)
        # The process's writer threads open the body and store it with whatever else is
        # waiting, in one transaction (group commit); the answer comes once it is durable.
        writer: IngestWriter = request.app.state.ingest_writer
        try:
            result = await writer.submit(work)
        except Exception:
            # A bug of ours, never the sender's fault: answer in the partner's protocol (a 500
            # it retries) rather than with a bare HTTP 500, and keep the traceback in the log.
            logger.exception("unexpected failure on POST %s", request.url.path)
            reply = pipeline.internal_error(ingress)
            return Response(reply.body, status_code=reply.status, media_type=reply.content_type)
        _note(ingress, partner_key, result, request.app.state.metrics)
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


def _note(
    ingress: Ingress, partner_key: str, result: IngestResult, metrics: GatewayMetrics
) -> None:
    """Count the body's documents and log every refusal (the partner sees it in its answer;
    the operator sees it here and in `GET /documents?outcome=rejected`).

    A refusal is a WARNING with the partner key as sent (escaped), the HTTP status and the
    reason; never the body, which may carry a secret.
    """
    metrics.count_received(partner_key, result)
    refusal = result.refusal
    if refusal is not None:
        logger.warning(
            "refused %s body for partner %s: HTTP %d, %s (document %s)",
            ingress.name,
            printable(partner_key),
            result.reply.status,
            printable(result.refusal_detail or str(refusal.error)),
            result.received_id or result.document_id,
            extra={"partner": partner_key, "status": result.reply.status},
        )
        return
    for item in result.results:
        if item.disposition is Disposition.REFUSED:
            logger.warning(
                "refused %s from partner %s: %s (document %s)",
                printable(item.document.name),
                partner_key,
                printable(item.message or str(item.reason)),
                result.received_id or result.document_id,
                extra={"partner": partner_key, "status": result.reply.status},
            )
