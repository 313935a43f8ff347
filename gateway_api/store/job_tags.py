"""The job run doing the current work, so the document log can tag what it writes.

A scheduled run (an Airflow task instance) calls a job; the job's services log documents deep
down (a pulled order, a delivered confirmation, the partner's answer). Threading a tag through
every service signature would touch the whole core for one cross-cutting fact, so the job runner
sets it in a context variable and `SqlDocumentRepository.add` reads it: every document logged
while it is set also gets a `job_run_documents` row in the same transaction. Work handed to
other threads must be given the context (`contextvars.copy_context`) to be tagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from gateway_api.store.records import JobRunTag

_CURRENT: ContextVar[JobRunTag | None] = ContextVar("b2connect_job_run", default=None)


def current_job_run() -> JobRunTag | None:
    """The tag of the run doing the current work, if a scheduled run is."""
    return _CURRENT.get()


@contextmanager
def tagged_with(tag: JobRunTag | None) -> Iterator[None]:
    """Tag every document logged inside the block with `tag` (None: leave untagged)."""
    token = _CURRENT.set(tag)
    try:
        yield
    finally:
        _CURRENT.reset(token)
