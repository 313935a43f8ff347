"""Request dependencies of the pages: the signed-in user, then the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from gateway_api.http.hub.auth import HubUser, hub_user
from gateway_api.services.hub import HubService

UserDep = Annotated[HubUser, Depends(hub_user)]


def get_hub(request: Request, _user: UserDep) -> HubService:
    """The hub's services; asked for only after authentication, so a stranger never makes the
    process connect to the database. 503 while the database cannot serve them."""
    try:
        service: HubService = request.app.state.hub()
    except Exception as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"The hub's database is not ready: {error}"
        ) from error
    return service


HubDep = Annotated[HubService, Depends(get_hub)]
