"""The order domain: aggregate, events and business errors; free of infrastructure."""

from __future__ import annotations

from gateway_api.domain.errors import (
    DomainError,
    OrderCancelledError,
    OrderConflictError,
    OrderExistsError,
    StaleVersionError,
    UnknownOrderError,
)
from gateway_api.domain.order import Order, OrderEvent, OrderEventKind, OrderStatus

__all__ = [
    "DomainError",
    "Order",
    "OrderCancelledError",
    "OrderConflictError",
    "OrderEvent",
    "OrderEventKind",
    "OrderExistsError",
    "OrderStatus",
    "StaleVersionError",
    "UnknownOrderError",
]
