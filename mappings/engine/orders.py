"""Translating a decoded purchase order with a partner's mapping: units to Rec 20, SKUs set."""

from __future__ import annotations

from mappings.engine.crossref import resolve_sku
from mappings.engine.errors import MappingError, MappingProblem
from mappings.engine.partner_mapping import PartnerMapping
from schemas import OrderLine, PurchaseOrder


def _map_line(
    line: OrderLine, mapping: PartnerMapping, problems: list[MappingProblem]
) -> OrderLine:
    update: dict[str, str] = {}
    try:
        update["unit_of_measure"] = mapping.units.to_canonical(
            line.unit_of_measure, field="unit_of_measure"
        )
    except MappingError as error:
        problems.extend(problem.at_line(line.line_number) for problem in error.problems)
    try:
        parts = mapping.profile.parts
        update["sku"] = resolve_sku(line, mapping.parts, parts.unknown if parts else "reject")
    except MappingError as error:
        problems.extend(error.problems)
    return line.model_copy(update=update)


def map_purchase_order(order: PurchaseOrder, mapping: PartnerMapping) -> PurchaseOrder:
    """A copy of `order` with every line's unit converted to UN/ECE Rec 20 and its SKU set.

    Checks every line before failing: one `MappingError` lists all problems of all lines. Pure:
    no I/O, the input is not modified.
    """
    problems: list[MappingProblem] = []
    lines = tuple(_map_line(line, mapping, problems) for line in order.lines)
    if problems:
        raise MappingError(problems)
    return order.model_copy(update={"lines": lines})
