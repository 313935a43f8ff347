"""cXML ingress: `POST /cxml/{partner_key}` from Coupa, SAP Ariba, JAGGAER and friends."""

from __future__ import annotations

import functools
import logging

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response

from gateway_api.http.body import read_limited_body
from gateway_api.http.deps import RuntimeDep
from gateway_api.services.cxml_ingest import CONTENT_TYPE

logger = logging.getLogger(__name__)

router = APIRouter(tags=["cXML ingress"])

_CXML_RESPONSE = {
    "description": "A cXML Response whose Status says what happened (200 stored, 201 held, "
    "4xx refused with the reason). The HTTP status mirrors the cXML status class.",
    "content": {"text/xml": {"example": '<cXML ...><Response><Status code="200" text="OK"/>'}},
}


@router.post(
    "/cxml/{partner_key}",
    response_class=Response,
    summary="Receive a cXML document (OrderRequest) from a procurement platform",
    responses={200: _CXML_RESPONSE, 400: _CXML_RESPONSE, 401: _CXML_RESPONSE},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/xml": {"schema": {"type": "string"}}},
        }
    },
)
async def receive_cxml(partner_key: str, request: Request, runtime: RuntimeDep) -> Response:
    """Authenticate, store, translate and apply one cXML document; answer in cXML."""
    limit = runtime.settings.max_body_bytes
    body = await read_limited_body(request, limit)
    remote = request.client.host if request.client else None
    content_type = request.headers.get("content-type")
    service = runtime.cxml_ingest
    # A bounded number of threads per process: beyond a few, threads only contend for the GIL
    # and the connection pool (B2CONNECT_INGEST_THREADS).
    limiter: anyio.CapacityLimiter = request.app.state.ingest_limiter
    if body.oversized:
        work = functools.partial(
            service.refuse_oversized,
            partner_key,
            body.data,
            declared_size=body.size,
            limit=limit,
            remote_addr=remote,
            content_type=content_type,
        )
    else:
        work = functools.partial(
            service.receive, partner_key, body.data, remote_addr=remote, content_type=content_type
        )
    try:
        answer = await anyio.to_thread.run_sync(work, limiter=limiter)
    except Exception:
        # A bug of ours, never the sender's fault: answer in cXML (500, retried by platforms)
        # rather than with a bare HTTP 500, and leave the traceback in the log.
        logger.exception("unexpected failure on POST /cxml/%s", partner_key)
        answer = service.internal_error()
    headers = {"X-B2Connect-Document-Id": str(answer.document_id)} if answer.document_id else None
    return Response(
        answer.body, status_code=answer.http_status, media_type=CONTENT_TYPE, headers=headers
    )
