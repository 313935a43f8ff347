"""The CARRIER capability: book, cancel and track shipments with a cargo carrier.

The core's shipment service drives it (gateway_api/services/shipments.py):

    book      store the shipment with our reference first, then connector.book(request);
              a crash in between is answered by booking again: the carrier books a reference
              once, and a connector that meets "reference exists" checks it and returns the
              booking with `already_booked`
    cancel    connector.cancel(reference)
    track     connector.track(references), at most `track_batch_size` per call; the core
              stores new events, and the first pickup sends the buyer's ship notice

Connectors retry timeouts and 5xx themselves, within bounds (`connectors/core/retrying.py`),
because they know which of their calls are safe to repeat; whatever is left is raised as the
classified error (`TransientError`, `AuthError`, `RejectedByPartnerError` with the carrier's
own code and text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from schemas.carrier import Booking, BookingRequest, Cancellation, TrackingReport

if TYPE_CHECKING:
    from connectors.core.contract import ConnectorSpec


@runtime_checkable
class CarrierConnector(Protocol):
    """A connector that books, cancels and tracks shipments (`Capability.CARRIER`)."""

    spec: ClassVar[ConnectorSpec]
    track_batch_size: ClassVar[int]
    """How many references one `track` call may ask about (the carrier's batch size)."""

    def book(self, request: BookingRequest) -> Booking:
        """Book `request` once: a second call with the same reference returns the first
        booking (`already_booked`) instead of a second shipment."""
        ...

    def cancel(self, reference: str) -> Cancellation:
        """Cancel the booking; cancelling twice is not an error, a parcel on its way is
        `cancelled=False` with the carrier's words, and a reference the carrier does not know
        is a `RejectedByPartnerError`."""
        ...

    def track(self, references: Sequence[str]) -> list[TrackingReport]:
        """One report per reference, in order (`found=False` for one the carrier does not
        know); at most `track_batch_size` references."""
        ...
