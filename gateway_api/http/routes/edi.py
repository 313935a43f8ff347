"""X12 ingress: `POST /edi/x12/{partner_key}` from retailers that trade in ANSI X12.

The body is raw X12 (one interchange or a mailbag). The partner authenticates with
`Authorization: Bearer <token>` (its profile's `api_token`). The answer is the 997 (or 999, and a
TA1 when asked) for every readable interchange, in the partner's delimiters, as
`application/edi-x12`; 202 with no body when the partner takes no acknowledgements. An
unauthenticated request is a 401 and a body without one readable interchange a 400, both
problem+json: there is no interchange to answer in X12.
"""

from __future__ import annotations

import functools
import logging

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response

from gateway_api.http.body import read_limited_body
from gateway_api.http.deps import RuntimeDep
from gateway_api.http.problems import ProblemError
from gateway_api.services.x12_ingest import (
    CONTENT_TYPE,
    X12AuthenticationError,
    X12UnreadableError,
)

logger = logging.getLogger(__name__)

router = APIRouter(tags=["EDI ingress"])


@router.post(
    "/edi/x12/{partner_key}",
    response_class=Response,
    summary="Receive X12 interchanges (850 purchase orders) from a trading partner",
    responses={
        200: {
            "description": "The 997/999 (and TA1) for each interchange",
            "content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
        },
        202: {"description": "Accepted; the partner takes no acknowledgements"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
async def receive_x12(partner_key: str, request: Request, runtime: RuntimeDep) -> Response:
    """Authenticate, store, translate and apply every interchange; answer with the acks."""
    body = await read_limited_body(request, runtime.settings.max_body_bytes)
    if body.oversized:
        raise ProblemError(
            413,
            "Body too large",
            f"{body.size} bytes; this gateway takes at most {runtime.settings.max_body_bytes}",
        )
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    work = functools.partial(
        runtime.x12_ingest.receive,
        partner_key,
        body.data,
        token=token.strip() if scheme.lower() == "bearer" else None,
        remote_addr=request.client.host if request.client else None,
    )
    limiter: anyio.CapacityLimiter = request.app.state.ingest_limiter
    try:
        answer = await anyio.to_thread.run_sync(work, limiter=limiter)
    except X12AuthenticationError as error:
        raise ProblemError(
            401,
            "Unauthorized",
            f"{error}: send `Authorization: Bearer <token>` as agreed with the hub",
        ) from None
    except X12UnreadableError as error:
        raise ProblemError(400, "No readable X12 interchange", str(error)) from None
    headers = {"X-B2Connect-Document-Id": str(answer.document_id)}
    if not answer.body:
        return Response(status_code=202, headers=headers)
    return Response(answer.body, status_code=200, media_type=CONTENT_TYPE, headers=headers)
