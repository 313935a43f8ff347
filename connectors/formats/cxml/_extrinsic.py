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
    result = _Extensions()
    for extrinsic in extrinsics:
        _flatten(extrinsic, attribute(extrinsic, "name") or "Extrinsic", result)
    return result.values


def _flatten(element: etree._Element, key: str, result: _Extensions) -> None:
    if element.tag == "IdReference":
        result.put(key, _id_reference_value(element))
        return
    parts = list(elements(element))
    if not parts:
        result.put(key, _leaf_value(element))
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


class _Extensions:
    """Flattened extrinsics; a repeated name gets " #2", " #3"... and nothing is overwritten.

    The last number used per name is remembered, so thousands of repeats stay linear.
    """

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._last: dict[str, int] = {}

    def put(self, key: str, value: str) -> None:
        unique, count = key, self._last.get(key, 1)
        while unique in self.values:
            count += 1
            unique = f"{key} #{count}"
        self._last[key] = count
        self.values[unique] = value
