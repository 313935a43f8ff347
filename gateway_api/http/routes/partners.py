"""Partner profiles and their state: which serve, which are disabled, and why."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gateway_api.http.deps import RuntimeDep, require_operator
from gateway_api.http.openapi import UNAUTHORIZED

router = APIRouter(
    prefix="/partners",
    tags=["partners"],
    dependencies=[Depends(require_operator)],
    responses=UNAUTHORIZED,
)


class PartnerStatusOut(BaseModel):
    """One partner profile's state."""

    key: str
    """The partner key (its folder under `mappings/partners/`)."""
    state: str
    """`ready`, `disabled` (`enabled: false`) or `broken` (the profile cannot be built)."""
    connector: str | None
    """The connector the profile names, when it could be read."""
    reason: str | None
    """Why a broken profile does not serve (fix the profile: it is reloaded on the next use)."""


@router.get("", summary="Every partner profile with its state (broken ones with the reason)")
async def list_partners(runtime: RuntimeDep) -> list[PartnerStatusOut]:
    """Profiles are read live: a fixed or new profile shows here without a restart."""
    statuses = await run_in_threadpool(runtime.directory.statuses)
    return [
        PartnerStatusOut(key=s.key, state=s.state.value, connector=s.connector, reason=s.reason)
        for s in statuses
    ]
