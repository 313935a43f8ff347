"""What the hub's pages show, composed from the read model, the document log and dead letters.

The pages are an operator's window on the hub: the message log, one document with everything
about its order, dead letters and their replay, a board per partner, reconciliation findings,
and the documents one scheduled run (an Airflow task instance) read or sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from connectors.core import Clock
from gateway_api.services.dead_letters import DeadLetterService, ReplayResult
from gateway_api.services.queries import QueryService
from gateway_api.store.hub_ports import (
    FindingRow,
    HubReader,
    MessageRow,
    MessageSearch,
    OrderRelations,
    PartnerStatus,
)
from gateway_api.store.records import DeadLetterRecord, DocumentRecord, JobRunTag

ERROR_WINDOW = timedelta(hours=24)
"""The partner board counts errors of the last day."""
ACKNOWLEDGEMENT_WINDOW = timedelta(hours=24)
"""A delivered document whose acknowledgement has not come within a day is overdue."""


@dataclass(frozen=True)
class DocumentView:
    """One document, the answers we sent to it, its canonical form and its order's story."""

    record: DocumentRecord
    replies: list[DocumentRecord]
    canonical: dict[str, Any] | None
    relations: OrderRelations | None
    dead_letters: list[DeadLetterRecord]


class HubService:
    """The pages' questions, each answered in short read transactions (replay excepted)."""

    def __init__(
        self,
        reader: HubReader,
        queries: QueryService,
        dead_letters: DeadLetterService,
        *,
        clock: Clock,
    ) -> None:
        self._reader = reader
        self._queries = queries
        self._dead_letters = dead_letters
        self._clock: Callable[[], datetime] = clock

    def messages(self, search: MessageSearch) -> list[MessageRow]:
        """The message log, newest first."""
        return self._reader.messages(search)

    def document(self, document_id: UUID) -> DocumentView | None:
        """A document with everything the document page shows, or None."""
        found = self._queries.document(document_id)
        if found is None:
            return None
        record, replies = found
        order_uuid = self._reader.order_of(document_id)
        letters = [
            letter
            for letter in self._dead_letters.list(
                status=None, partner_key=record.partner_key, limit=10_000
            )
            if letter.document_id == document_id
        ]
        return DocumentView(
            record=record,
            replies=replies,
            canonical=self._reader.canonical(document_id),
            relations=None if order_uuid is None else self._reader.order_relations(order_uuid),
            dead_letters=letters,
        )

    def dead_letters(self, *, status: str | None, limit: int = 200) -> list[DeadLetterRecord]:
        """Dead letters of a status (None: all), oldest first."""
        return self._dead_letters.list(status=status, limit=limit)

    def dead_letter(self, dead_letter_id: UUID) -> DeadLetterRecord:
        """One dead letter; `DeadLetterNotFoundError` if unknown."""
        return self._dead_letters.get(dead_letter_id)

    def replay(self, dead_letter_id: UUID) -> ReplayResult:
        """Replay one dead letter (see `DeadLetterService.replay` for what may be raised)."""
        return self._dead_letters.replay(dead_letter_id)

    def partner_board(self) -> list[PartnerStatus]:
        """One row per partner, errors and overdue acknowledgements counted from now."""
        now = self._clock()
        return self._reader.partner_board(
            errors_since=now - ERROR_WINDOW,
            acknowledgement_due_before=now - ACKNOWLEDGEMENT_WINDOW,
        )

    def findings(self, *, status: str | None, limit: int = 500) -> list[FindingRow]:
        """Reconciliation findings, most recently seen first."""
        return self._reader.findings(status=status, limit=limit)

    def task_instance_documents(self, key: JobRunTag) -> list[MessageRow]:
        """Exactly the documents the task instance read or sent."""
        return self._reader.task_instance_documents(key)
