"""Pages for what needs a person: dead letters (with replay), the partner board, and the
reconciliation findings."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gateway_api.http.hub.auth import CSRF_FIELD, check_form_post, csrf_token
from gateway_api.http.hub.deps import HubDep, UserDep
from gateway_api.http.hub.render import base_path, page
from gateway_api.services.dead_letters import DeadLetterClosedError, DeadLetterNotFoundError
from gateway_api.store.records import DeadLetterStatus

router = APIRouter()

DEAD_LETTER_STATES = [s.value for s in DeadLetterStatus]
REPLAYABLE = {DeadLetterStatus.OPEN, DeadLetterStatus.PARKED}
REPLAY_NOTES = {
    "ok": "Replayed: the document went through.",
    "failed": "The replay failed again; the dead letter stays open with the new error.",
    "closed": "This dead letter was already replayed.",
}
MAX_FORM_BYTES = 4096


@router.get("/dead-letters", response_class=HTMLResponse)
async def dead_letters(
    request: Request,
    user: UserDep,
    hub: HubDep,
    state: Annotated[str, Query(alias="status", max_length=16)] = "open",
) -> Response:
    """Dead letters of one state (open by default; `all` for every one), oldest first."""
    if state not in {*DEAD_LETTER_STATES, "all"}:
        state = "open"
    rows = await run_in_threadpool(hub.dead_letters, status=None if state == "all" else state)
    return page(
        request,
        "dead_letters.html",
        user=user,
        rows=rows,
        state=state,
        states=[*DEAD_LETTER_STATES, "all"],
        replayable=REPLAYABLE,
        csrf_field=CSRF_FIELD,
        csrf=csrf_token(request.app.state.csrf_secret, user),
    )


@router.get("/dead-letters/{dead_letter_id}", response_class=HTMLResponse)
async def dead_letter(
    request: Request,
    dead_letter_id: UUID,
    user: UserDep,
    hub: HubDep,
    replay: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """One dead letter: why it is held, its document, and (after a replay) how it went."""
    try:
        letter = await run_in_threadpool(hub.dead_letter, dead_letter_id)
    except DeadLetterNotFoundError:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"No dead letter {dead_letter_id}."
        ) from None
    return page(
        request,
        "dead_letter.html",
        user=user,
        letter=letter,
        note=REPLAY_NOTES.get(replay or ""),
        replay_ok=replay == "ok",
        replayable=letter.status in REPLAYABLE,
        csrf_field=CSRF_FIELD,
        csrf=csrf_token(request.app.state.csrf_secret, user),
    )


@router.post("/dead-letters/{dead_letter_id}/replay")
async def replay(request: Request, dead_letter_id: UUID, user: UserDep, hub: HubDep) -> Response:
    """The Replay button: checked against forgery, then one replay, then back to the dead
    letter's page (post/redirect/get, so reloading it does not replay again)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "The form is too large.")
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=8)
    check_form_post(request, request.app.state.csrf_secret, user, _first(fields, CSRF_FIELD))
    if not user.may_replay:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "You may look, but not replay.")
    try:
        result = await run_in_threadpool(hub.replay, dead_letter_id)
    except DeadLetterNotFoundError:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"No dead letter {dead_letter_id}."
        ) from None
    except DeadLetterClosedError:
        outcome = "closed"
    else:
        outcome = "ok" if result.succeeded else "failed"
    return RedirectResponse(
        f"{base_path(request)}/dead-letters/{dead_letter_id}?replay={outcome}",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.get("/partners", response_class=HTMLResponse)
async def partners(request: Request, user: UserDep, hub: HubDep) -> Response:
    """Per partner: last message, errors of the last day, dead letters, delivery backlog,
    overdue acknowledgements and open findings."""
    rows = await run_in_threadpool(hub.partner_board)
    return page(request, "partners.html", user=user, rows=rows)


@router.get("/findings", response_class=HTMLResponse)
async def findings(
    request: Request,
    user: UserDep,
    hub: HubDep,
    state: Annotated[str, Query(alias="status", max_length=16)] = "open",
) -> Response:
    """Reconciliation findings (open by default; `closed` or `all`)."""
    if state not in {"open", "closed", "all"}:
        state = "open"
    rows = await run_in_threadpool(hub.findings, status=None if state == "all" else state)
    return page(request, "findings.html", user=user, rows=rows, state=state)


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _no_such_letter(dead_letter_id: UUID) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"No dead letter {dead_letter_id}.")
