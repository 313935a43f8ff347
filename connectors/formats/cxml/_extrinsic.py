"""`Extrinsic` name/value pairs flattened into the canonical `extensions: dict[str, str]`.

`Extrinsic` is `ANY`, so it holds text or elements. The flattening is deterministic:

- `<Extrinsic name="N">text</Extrinsic>` gives `N` = the text (stripped; empty stays "").
- An element child gives one key per leaf, below the prefix `N`:
  - `<IdReference domain="D" identifier="I"/>` is a pair: `N.D` = `I` (`<Extrinsic
    name="CustomFields"><IdReference domain="cost-code" identifier="42"/>` gives
    `CustomFields.cost-code` = `42`); without a domain, `N.IdReference`.
  - `<IdReference identifier="F" domain="..."><Description>V</Description></IdReference>` is
    Coupa's documented custom-field form, where the identifier names the field and the
    Description holds its value: `N.F` = `V` (`CustomFields.invoice_image_url` = the URL).
  - A child with a `name` attribute (nested `Extrinsic`) is keyed by that name, other children by
    their tag; children with element children of their own recurse (`N.Tag.Inner`).
  - A leaf's value is its text, or its `value` attribute when it has no text.
  Text mixed in between element children is ignored.
- A key seen before in the same scope gets ` #2`, ` #3`... in document order, so nothing is
  overwritten or dropped (two `<Extrinsic name="Note">` give `Note` and `Note #2`).
- An `Extrinsic` without a `name` (the DTD requires one) is keyed `Extrinsic`.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from connectors.formats.cxml._xml import attribute, child, elements, full_text


def flatten_extrinsics(extrinsics: Iterable[etree._Element]) -> dict[str, str]:
    """The `extensions` dict of a run of `Extrinsic` elements (header, or one line)."""
    result: dict[str, str] = {}
    for extrinsic in extrinsics:
        _flatten(extrinsic, attribute(extrinsic, "name") or "Extrinsic", result)
    return result


def _flatten(element: etree._Element, key: str, result: dict[str, str]) -> None:
    if element.tag == "IdReference":
        _put(result, key, _id_reference_value(element))
        return
    parts = list(elements(element))
    if not parts:
        _put(result, key, _leaf_value(element))
        return
    for part in parts:
        _flatten(part, f"{key}.{_part_key(part)}", result)


def _part_key(part: etree._Element) -> str:
    if part.tag == "IdReference":
        if _described(part):
            return attribute(part, "identifier") or "IdReference"
        return attribute(part, "domain") or "IdReference"
    return attribute(part, "name") or str(part.tag)


def _described(id_reference: etree._Element) -> bool:
    return bool(full_text(child(id_reference, "Description")))


def _id_reference_value(id_reference: etree._Element) -> str:
    if _described(id_reference):
        return full_text(child(id_reference, "Description"))
    return attribute(id_reference, "identifier")


def _leaf_value(element: etree._Element) -> str:
    return full_text(element) or attribute(element, "value")


def _put(result: dict[str, str], key: str, value: str) -> None:
    unique, count = key, 1
    while unique in result:
        count += 1
        unique = f"{key} #{count}"
    result[unique] = value
