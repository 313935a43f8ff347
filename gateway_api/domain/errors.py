"""Domain errors: a document is understood but cannot be applied to the order as it stands.

DomainError
└── OrderConflictError           answered as a conflict (cXML 409, HTTP 409)
    ├── OrderExistsError         a `new` order for an order id we already have
    ├── UnknownOrderError        an update or delete for an order we never received
    ├── StaleVersionError        a version not newer than the stored one
    └── OrderCancelledError      a change to an order that was deleted
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the change."""


class OrderConflictError(DomainError):
    """The change conflicts with the stored state of the order."""


class OrderExistsError(OrderConflictError):
    """A new order reused an order id that is already stored."""


class UnknownOrderError(OrderConflictError):
    """An update or delete named an order the hub has never received.

    Usually the original order is late or was held; the document is kept as a dead letter so it
    can be replayed once the order exists.
    """


class StaleVersionError(OrderConflictError):
    """The document's version is not newer than the stored one (out of order or repeated)."""


class OrderCancelledError(OrderConflictError):
    """The order was deleted by the buyer; it takes no further changes."""
