"""Pages over the document log: the searchable message log, one document with everything about
its order, its raw bytes as a download, and the documents of one Airflow task instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from gateway_api.http.hub.deps import HubDep, UserDep
from gateway_api.http.hub.render import body_text, page
from gateway_api.store.hub_ports import MessageSearch
from gateway_api.store.records import DocumentOutcome, JobRunTag

router = APIRouter()

OUTCOMES = [outcome.value for outcome in DocumentOutcome]
DIRECTIONS = ["inbound", "outbound"]
Text = Annotated[str | None, Query(max_length=255)]


@dataclass(frozen=True)
class SearchForm:
    """The search form as typed (redisplayed as is) and what it means."""

    partner: str = ""
    kind: str = ""
    outcome: str = ""
    direction: str = ""
    since: str = ""
    until: str = ""
    reference: str = ""

    def search(self) -> tuple[MessageSearch, list[str]]:
        """The search, and sentences for every field that cannot be read (those are ignored)."""
        problems: list[str] = []
        outcome = self.outcome or None
        if outcome is not None and outcome not in OUTCOMES:
            problems.append(f"Unknown outcome {outcome!r}; choose one of the list.")
            outcome = None
        direction = self.direction or None
        if direction is not None and direction not in DIRECTIONS:
            problems.append(f"Unknown direction {direction!r}.")
            direction = None
        since = _day(self.since, "From", problems)
        until = _day(self.until, "To", problems)
        return (
            MessageSearch(
                partner_key=self.partner or None,
                kind=self.kind or None,
                outcome=outcome,
                direction=direction,
                since=None if since is None else _start_of(since),
                until=None if until is None else _start_of(until + timedelta(days=1)),
                reference=self.reference or None,
            ),
            problems,
        )


@router.get("/messages", response_class=HTMLResponse)
async def messages(
    request: Request,
    user: UserDep,
    hub: HubDep,
    partner: Text = None,
    kind: Text = None,
    outcome: Text = None,
    direction: Text = None,
    since: Text = None,
    until: Text = None,
    reference: Text = None,
) -> Response:
    """The message log, newest first, searched by partner, kind, outcome, direction, the day
    range they were logged in (UTC, both days included) and an order or document reference."""
    form = SearchForm(
        *(
            (value or "").strip()
            for value in (partner, kind, outcome, direction, since, until, reference)
        )
    )
    search, problems = form.search()
    rows = await run_in_threadpool(hub.messages, search)
    return page(
        request,
        "messages.html",
        user=user,
        form=form,
        problems=problems,
        rows=rows,
        outcomes=OUTCOMES,
        directions=DIRECTIONS,
        limit=search.limit,
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
async def document(request: Request, document_id: UUID, user: UserDep, hub: HubDep) -> Response:
    """One document: its metadata, raw bytes, canonical form, our answers, its dead letters and
    every related document of its order."""
    view = await run_in_threadpool(hub.document, document_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No document {document_id}.")
    return page(
        request,
        "document.html",
        user=user,
        view=view,
        doc=view.record,
        raw=body_text(view.record.body),
    )


@router.get("/documents/{document_id}/raw")
async def raw(document_id: UUID, _user: UserDep, hub: HubDep) -> Response:
    """The stored bytes as a download, inert whatever the sender claimed they were."""
    view = await run_in_threadpool(hub.document, document_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No document {document_id}.")
    return Response(
        view.record.body,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{document_id}.txt"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get("/task-instance", response_class=HTMLResponse)
async def task_instance(
    request: Request,
    user: UserDep,
    hub: HubDep,
    dag_id: Annotated[str, Query(min_length=1, max_length=250)],
    run_id: Annotated[str, Query(min_length=1, max_length=250)],
    task_id: Annotated[str, Query(min_length=1, max_length=250)],
    map_index: int = -1,
) -> Response:
    """Exactly the documents one Airflow task instance read or sent (the jobs tag them)."""
    key = JobRunTag(dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index)
    rows = await run_in_threadpool(hub.task_instance_documents, key)
    return page(request, "task_instance.html", user=user, key=key, rows=rows)


def _day(text: str, label: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}: {text!r} is not a date (YYYY-MM-DD).")
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
