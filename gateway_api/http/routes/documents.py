"""The document log: every document in and out, filterable, with its raw bytes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.fields import FilterText, IsoDatetime
from gateway_api.http.models import DocumentDetailOut, DocumentOut
from gateway_api.http.openapi import UNAUTHORIZED, not_found
from gateway_api.http.problems import ProblemError
from gateway_api.store.records import DocumentOutcome

router = APIRouter(
    prefix="/documents",
    tags=["documents"],
    dependencies=[Depends(require_operator)],
    responses=UNAUTHORIZED,
)


@router.get("", summary="The message log, newest first")
async def list_documents(
    runtime: RuntimeDep,
    partner: FilterText | None = None,
    direction: Annotated[str | None, Query(pattern="^(inbound|outbound)$")] = None,
    kind: FilterText | None = None,
    outcome: DocumentOutcome | None = None,
    payload_id: FilterText | None = None,
    correlation_id: FilterText | None = None,
    before: Annotated[
        IsoDatetime | None, Query(description="Page: entries older than this (with zone)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DocumentOut]:
    """Documents filtered by partner, direction, kind, outcome, payloadID or order id."""
    rows = await run_in_threadpool(
        runtime.queries.documents,
        partner_key=partner,
        direction=direction,
        kind=kind,
        outcome=None if outcome is None else outcome.value,
        payload_id=payload_id,
        correlation_id=correlation_id,
        before=before,
        limit=limit,
    )
    return [DocumentOut.of(row) for row in rows]


@router.get(
    "/{document_id}",
    summary="One document's metadata and our answers to it",
    responses=not_found("document"),
)
async def get_document(document_id: UUID, runtime: RuntimeDep) -> DocumentDetailOut:
    """Metadata of one document and the answers we sent to it."""
    found = await run_in_threadpool(runtime.queries.document, document_id)
    if found is None:
        raise ProblemError(404, "Document not found", f"no document with id {document_id}")
    record, replies = found
    return DocumentDetailOut(
        **DocumentOut.of(record).model_dump(), replies=[DocumentOut.of(r) for r in replies]
    )


@router.get(
    "/{document_id}/raw",
    summary="The stored bytes of a document (shared secrets masked)",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **not_found("document"),
    },
)
async def get_document_raw(document_id: UUID, runtime: RuntimeDep) -> Response:
    """The bytes as stored, with the content type they came with."""
    found = await run_in_threadpool(runtime.queries.document, document_id)
    if found is None:
        raise ProblemError(404, "Document not found", f"no document with id {document_id}")
    record = found[0]
    # Served inert, whatever content type the sender claimed: the bytes are untrusted, and a
    # browser must never render them as a page of this origin.
    return Response(
        record.body,
        media_type="text/plain; charset=utf-8",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-B2Connect-Content-Type": record.content_type or "",
        },
    )
