"""Dead letters: documents kept but not applied, and their replay after a fix."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.fields import FilterText
from gateway_api.http.models import DeadLetterOut, ReplayOut
from gateway_api.http.openapi import UNAUTHORIZED, conflict, not_found
from gateway_api.http.problems import ProblemError
from gateway_api.services.dead_letters import DeadLetterClosedError, DeadLetterNotFoundError

router = APIRouter(
    prefix="/dead-letters",
    tags=["dead letters"],
    dependencies=[Depends(require_operator)],
    responses=UNAUTHORIZED,
)


@router.get("", summary="Dead letters, oldest first")
async def list_dead_letters(
    runtime: RuntimeDep,
    status: Annotated[str | None, Query(pattern="^(open|replayed|parked)$")] = "open",
    partner: FilterText | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetterOut]:
    """Open dead letters by default; `status=replayed` for the resolved ones, `parked` for the
    ones the scheduled replay gave up on."""
    rows = await run_in_threadpool(
        runtime.dead_letters.list, status=status, partner_key=partner, limit=limit
    )
    return [DeadLetterOut.of(row) for row in rows]


@router.get("/{dead_letter_id}", summary="One dead letter", responses=not_found("dead letter"))
async def get_dead_letter(dead_letter_id: UUID, runtime: RuntimeDep) -> DeadLetterOut:
    """One dead letter with its newest error."""
    try:
        record = await run_in_threadpool(runtime.dead_letters.get, dead_letter_id)
    except DeadLetterNotFoundError:
        raise ProblemError(404, "Dead letter not found", str(dead_letter_id)) from None
    return DeadLetterOut.of(record)


@router.post(
    "/{dead_letter_id}/replay",
    summary="Run a dead letter through translation again (after a mapping fix)",
    responses={
        **not_found("dead letter"),
        **conflict("Already replayed, or the replay failed again (the dead letter stays open)"),
    },
)
async def replay_dead_letter(dead_letter_id: UUID, runtime: RuntimeDep) -> ReplayOut:
    """Replay one dead letter; a failure keeps it open with the new error (409)."""
    try:
        result = await run_in_threadpool(runtime.dead_letters.replay, dead_letter_id)
    except DeadLetterNotFoundError:
        raise ProblemError(404, "Dead letter not found", str(dead_letter_id)) from None
    except DeadLetterClosedError as error:
        raise ProblemError(409, "Dead letter already replayed", str(error)) from None
    if not result.succeeded:
        raise ProblemError(409, "Replay failed", result.error, dead_letter_id=str(dead_letter_id))
    return ReplayOut.of(result)
