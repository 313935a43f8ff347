"""pyx12 maps for the X12 846 and 832 as our writer emits them, generated at test time.

pyx12 4.0.0 ships HIPAA maps only, so without these it can check nothing but the envelope of
our stock and price feeds. This module builds a map directory per interchange version (00401,
00501) the way shared/reference/x12.md §1.3 describes: a copy of pyx12's bundled `map/`
directory (taken from the installed package at run time, never committed), one
`<txn>.<ver>.xml` per transaction set whose ISA/GS/ST/SE/GE/IEA envelope is borrowed from
pyx12's own non-HIPAA `830.4010.PS.xml`, the X12 data elements the sets use written into
`dataele.xml` with that version's type and length, and one `maps.xml` line per (GS08, GS01):
`IB` for the 846, `SC` for the 832, for 004010, 004010VICS and 005010.

The maps are a subset of the standard, written from its segment definitions, not a copy of any
partner guide: only the segments our writer emits, in the standard's order and loop nesting
(846: the LIN loop's QTY loop before its N1 loop; 832: the CTP loop's DTM before its CUR),
each with the standard's requirement (mandatory elements `R`), data element type and length,
and the qualifiers we write limited to genuine X12 codes (a `PCB` price identifier or a UN/ECE
`KGM` unit is an error). Element positions our writer leaves empty are `N` (not used), and
elements after the last one we write are absent, so anything the writer did not mean to send
is reported as well. Loop `pos` numbers only order siblings, as pyx12 uses them.

`validate(data, maps)` runs pyx12's `x12n_document` and returns its verdict, the 997 (004010)
or 999 (005010) it wrote and its JSON error tree. Pitfalls met on the way: the 830 map gives ST,
the tables and SE (and GS and ST_LOOP) one position, and pyx12 files child loops before
segments, so ST was never found until ST/GS got their own positions (as in pyx12's 997 map);
pyx12 matches a loop's first segment by its first code, so a wrong BIA/BCT/QTY qualifier is
reported as a segment out of place (AK304 1), not as a bad code; pyx12's 999 writer cannot
answer a 005010 set without ST03, which our feeds do not write, so for those the error tree's
set and group codes stand in for the 999; and its ISO 4217 currency list predates TRY.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import xml.etree.ElementTree as ET  # only pyx12's own installed files and our output
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyx12
import pyx12.params
import pyx12.x12n_document

BUNDLED_MAPS = Path(pyx12.__file__).resolve().parent / "map"
"""pyx12's own map directory (copied, never edited in place)."""

ENVELOPE_TEMPLATE = "830.4010.PS.xml"
"""pyx12's non-HIPAA map whose ISA/GS/ST..SE/GE/IEA envelope the feed maps borrow."""

# --- the table -----------------------------------------------------------------------------

UNITS = ("EA", "PC", "KG", "LB", "MR", "CA", "BX", "DZ")
"""355 unit codes (each, piece, kilogram, pound, meter, case, box, dozen): the X12 codes our
partner profiles map the canonical UN/ECE units to. Three-letter UN/ECE codes are not 355."""

DATA_ELEMENTS: dict[str, tuple[str, int, int, str]] = {
    "61": ("AN", 1, 30, "Free-form Information"),
    "66": ("ID", 1, 2, "Identification Code Qualifier"),
    "67": ("AN", 2, 80, "Identification Code"),
    "93": ("AN", 1, 60, "Name"),
    "98": ("ID", 2, 3, "Entity Identifier Code"),
    "100": ("ID", 3, 3, "Currency Code"),
    "127": ("AN", 1, 30, "Reference Identification"),
    "128": ("ID", 2, 3, "Reference Identification Qualifier"),
    "212": ("R", 1, 17, "Unit Price"),
    "234": ("AN", 1, 48, "Product/Service ID"),
    "235": ("ID", 2, 2, "Product/Service ID Qualifier"),
    "236": ("ID", 3, 3, "Price Identifier Code"),
    "337": ("TM", 4, 8, "Time"),
    "347": ("R", 1, 10, "Hash Total"),
    "349": ("ID", 1, 1, "Item Description Type"),
    "350": ("AN", 1, 20, "Assigned Identification"),
    "352": ("AN", 1, 80, "Description"),
    "353": ("ID", 2, 2, "Transaction Set Purpose Code"),
    "354": ("N0", 1, 6, "Number of Line Items"),
    "355": ("ID", 2, 2, "Unit or Basis for Measurement Code"),
    "356": ("N0", 1, 6, "Pack"),
    "357": ("R", 1, 8, "Size"),
    "373": ("DT", 8, 8, "Date"),
    "374": ("ID", 3, 3, "Date/Time Qualifier"),
    "380": ("R", 1, 15, "Quantity"),
    "559": ("ID", 2, 2, "Agency Qualifier Code"),
    "673": ("ID", 2, 2, "Quantity Qualifier"),
    "683": ("ID", 2, 2, "Catalog Purpose Code"),
    "684": ("AN", 1, 15, "Catalog Number"),
    "685": ("AN", 1, 15, "Catalog Version Number"),
    "686": ("AN", 1, 6, "Catalog Revision Number"),
    "687": ("ID", 2, 2, "Class of Trade Code"),
    "750": ("ID", 2, 3, "Product/Process Characteristic Code"),
    "751": ("AN", 1, 12, "Product Description Code"),
    "755": ("ID", 2, 2, "Report Type Code"),
    "875": ("ID", 3, 3, "Maintenance Type Code"),
    "1705": ("AN", 1, 35, "Implementation Convention Reference"),
}
"""X12 data elements (type, min, max, name) as in 004010."""

CHANGES_5010: dict[str, tuple[str, int, int, str]] = {
    "127": ("AN", 1, 50, "Reference Identification"),
}
"""Where 005010 differs (REF02/BIA03 grew from 30 to 50 characters)."""


@dataclass(frozen=True, slots=True)
class El:
    """One simple element: its data element, usage (R required, S situational, N not used)
    and, for a code element, the codes allowed (`external` names a pyx12 code set)."""

    data_ele: str
    usage: str = "S"
    codes: tuple[str, ...] = ()
    external: str | None = None


@dataclass(frozen=True, slots=True)
class Comp:
    """A composite element (C001 unit of measure) and its components."""

    data_ele: str
    usage: str
    parts: tuple[El, ...]


@dataclass(frozen=True, slots=True)
class Seg:
    """A segment at its position, with its elements in order and its syntax notes."""

    seg_id: str
    name: str
    pos: int
    usage: str
    max_use: str
    elements: tuple[El | Comp, ...]
    syntax: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop: the first child is its beginning segment."""

    loop_id: str
    name: str
    pos: int
    usage: str
    repeat: str
    children: tuple[Seg | Loop, ...] = field(default_factory=tuple)


UNIT = Comp("C001", "S", (El("355", "R", UNITS),))


def _dtm(pos: int, qualifiers: tuple[str, ...], max_use: str) -> Seg:
    return Seg(
        "DTM",
        "Date/Time Reference",
        pos,
        "S",
        max_use,
        (El("374", "R", qualifiers), El("373"), El("337")),
        ("R020305",),
    )


def _lin(qualifiers: tuple[str, ...], pairs: int) -> Seg:
    ids: list[El] = [El("350")]
    syntax: list[str] = []
    for pair in range(pairs):
        usage = "R" if pair == 0 else "S"
        ids += [El("235", usage, qualifiers), El("234", usage)]
        if pair:
            first = 2 * pair + 2
            syntax.append(f"P{first:02d}{first + 1:02d}")
    return Seg("LIN", "Item Identification", 10, "R", "1", tuple(ids), tuple(syntax))


def _ctt(hash_total: bool) -> Seg:
    elements = (El("354", "R"), El("347")) if hash_total else (El("354", "R"),)
    return Seg("CTT", "Transaction Totals", 10, "S", "1", elements)


INVENTORY_846: tuple[Loop, ...] = (
    Loop(
        "HEADER",
        "Table 1 - Header",
        10,
        "R",
        "1",
        (
            Seg(
                "BIA",
                "Beginning Segment for Inventory Inquiry/Advice",
                20,
                "R",
                "1",
                (
                    El("353", "R", ("00",)),
                    El("755", "R", ("DD",)),
                    El("127", "R"),
                    El("373", "R"),
                    El("337"),
                ),
            ),
            _dtm(50, ("007",), "10"),
        ),
    ),
    Loop(
        "DETAIL",
        "Table 2 - Detail",
        20,
        "R",
        "1",
        (
            Loop(
                "LIN_LOOP",
                "Item Identification",
                10,
                "R",
                "10000",
                (
                    _lin(("SK", "VN", "BP"), 3),
                    Seg(
                        "REF",
                        "Reference Identification",
                        150,
                        "S",
                        ">1",
                        (El("128", "R", ("WS",)), El("127"), El("352", "N")),
                        ("R0203",),
                    ),
                    Loop(
                        "QTY_LOOP",
                        "Quantity",
                        320,
                        "S",
                        "99",
                        (
                            Seg(
                                "QTY",
                                "Quantity",
                                320,
                                "R",
                                "1",
                                (El("673", "R", ("17", "33")), El("380"), UNIT, El("61", "N")),
                                ("R0204",),
                            ),
                        ),
                    ),
                    Loop(
                        "N1_LOOP",
                        "Name",
                        450,
                        "S",
                        "200",
                        (
                            Seg(
                                "N1",
                                "Name",
                                450,
                                "R",
                                "1",
                                (
                                    El("98", "R", ("WH",)),
                                    El("93", "N"),
                                    El("66", "S", ("92",)),
                                    El("67"),
                                ),
                                ("R0203", "P0304"),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Loop("FOOTER", "Table 3 - Summary", 30, "S", "1", (_ctt(hash_total=True),)),
)
"""The 846 as `encode_846` writes it: BIA, DTM; LIN loops (mandatory, at least one) of LIN,
REF (WS location), QTY loops (17 on hand, 33 available), N1 loops (WH location); CTT."""

CATALOG_832: tuple[Loop, ...] = (
    Loop(
        "HEADER",
        "Table 1 - Header",
        10,
        "R",
        "1",
        (
            Seg(
                "BCT",
                "Beginning Segment for Price/Sales Catalog",
                20,
                "R",
                "1",
                (
                    El("683", "R", ("PC",)),
                    El("684"),
                    El("685", "N"),
                    El("686", "N"),
                    El("355", "N"),
                    El("684", "N"),
                    El("685", "N"),
                    El("686", "N"),
                    El("352"),
                    El("353", "S", ("04", "05")),
                ),
            ),
            _dtm(70, ("007",), "10"),
            Seg(
                "CUR",
                "Currency",
                90,
                "S",
                "5",
                (El("98", "R", ("SE",)), El("100", "R", external="currency")),
            ),
        ),
    ),
    Loop(
        "DETAIL",
        "Table 2 - Detail",
        20,
        "S",
        "1",
        (
            Loop(
                "LIN_LOOP",
                "Item Identification",
                10,
                "S",
                ">1",
                (
                    _lin(("SK", "VN", "BP", "UP", "EN", "UK"), 4),
                    Seg("G53", "Maintenance Type", 15, "S", "1", (El("875", "R", ("002",)),)),
                    Seg(
                        "PID",
                        "Product/Item Description",
                        70,
                        "S",
                        "200",
                        (
                            El("349", "R", ("F",)),
                            El("750", "N"),
                            El("559", "N"),
                            El("751", "N"),
                            El("352"),
                        ),
                        ("R0405",),
                    ),
                    Seg(
                        "PO4",
                        "Item Physical Details",
                        100,
                        "S",
                        "1",
                        (El("356"), El("357"), El("355", "S", UNITS)),
                    ),
                    Loop(
                        "CTP_LOOP",
                        "Pricing Information",
                        200,
                        "S",
                        "100",
                        (
                            Seg(
                                "CTP",
                                "Pricing Information",
                                200,
                                "R",
                                "1",
                                (
                                    El("687", "N"),
                                    El("236", "S", ("PBQ",)),
                                    El("212"),
                                    El("380"),
                                    UNIT,
                                ),
                                ("P0405",),
                            ),
                            _dtm(220, ("007", "036"), "10"),
                            Seg(
                                "CUR",
                                "Currency",
                                240,
                                "S",
                                "5",
                                (El("98", "R", ("SE",)), El("100", "R", external="currency")),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Loop("FOOTER", "Table 3 - Summary", 30, "S", "1", (_ctt(hash_total=False),)),
)
"""The 832 as `encode_832` writes it: BCT, DTM, CUR; LIN loops of LIN, G53 (delete), PID, PO4
and CTP loops (PBQ price tier, then its DTM period and a CUR of another currency); CTT."""


@dataclass(frozen=True, slots=True)
class SetMap:
    """One transaction set's map: its id, functional group and body tables."""

    set_id: str
    functional_id: str
    title: str
    body: tuple[Loop, ...]


SETS = (
    SetMap("846", "IB", "Inventory Inquiry/Advice - 846", INVENTORY_846),
    SetMap("832", "SC", "Price/Sales Catalog - 832", CATALOG_832),
)

NEWER_CURRENCIES = ("TRY",)
"""ISO 4217 codes (X12 element 100 is ISO 4217) missing from pyx12's dated `currency` code set:
the Turkish lira since 2005."""

RELEASES: dict[str, tuple[str, ...]] = {"00401": ("004010", "004010VICS"), "00501": ("005010",)}
"""GS08 values registered per ISA12 (matching is exact, so VICS needs its own maps.xml line)."""

# --- writing the XML ----------------------------------------------------------------------


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _element(parent: ET.Element, xid: str, spec: El) -> None:
    node = ET.SubElement(parent, "element", xid=xid)
    _text(node, "data_ele", spec.data_ele)
    _text(node, "name", DATA_ELEMENTS[spec.data_ele][3])
    _text(node, "usage", spec.usage)
    _text(node, "seq", xid[-2:])
    if spec.external is not None:
        ET.SubElement(node, "valid_codes", external=spec.external)
    elif spec.codes:
        codes = ET.SubElement(node, "valid_codes")
        for code in spec.codes:
            _text(codes, "code", code)


def _segment(parent: ET.Element, seg: Seg) -> None:
    node = ET.SubElement(parent, "segment", xid=seg.seg_id)
    _text(node, "name", seg.name)
    _text(node, "usage", seg.usage)
    _text(node, "pos", f"{seg.pos:03d}")
    _text(node, "max_use", seg.max_use)
    for rule in seg.syntax:
        _text(node, "syntax", rule)
    for index, spec in enumerate(seg.elements, start=1):
        xid = f"{seg.seg_id}{index:02d}"
        if isinstance(spec, El):
            _element(node, xid, spec)
            continue
        composite = ET.SubElement(node, "composite", xid=xid)
        _text(composite, "data_ele", spec.data_ele)
        _text(composite, "name", "Composite Unit of Measure")
        _text(composite, "usage", spec.usage)
        _text(composite, "seq", f"{index:02d}")
        _text(composite, "refdes", xid)
        for part_index, part in enumerate(spec.parts, start=1):
            _element(composite, f"{xid}-{part_index:02d}", part)


def _loop(parent: ET.Element, loop: Loop) -> None:
    wrapper = loop.loop_id in {"HEADER", "DETAIL", "FOOTER"}
    node = ET.SubElement(
        parent, "loop", xid=loop.loop_id, type="wrapper" if wrapper else "explicit"
    )
    _text(node, "name", loop.name)
    _text(node, "usage", loop.usage)
    _text(node, "pos", f"{loop.pos:03d}")
    _text(node, "repeat", loop.repeat)
    for child in loop.children:
        if isinstance(child, Loop):
            _loop(node, child)
        else:
            _segment(node, child)


def _codes(node: ET.Element, codes: Sequence[str]) -> None:
    """Make `codes` the only valid codes of the element `node`."""
    valid = node.find("valid_codes")
    if valid is None:
        valid = ET.SubElement(node, "valid_codes")
    for old in list(valid):
        valid.remove(old)
    for code in codes:
        _text(valid, "code", code)


def _position(loop: ET.Element, seg_id: str, pos: str) -> None:
    node = loop.find(f"segment[@xid='{seg_id}']/pos")
    assert node is not None, seg_id
    node.text = pos


def _element_node(tree: ET.Element, xid: str) -> ET.Element:
    node = tree.find(f".//element[@xid='{xid}']")
    assert node is not None, xid
    return node


def set_map(spec: SetMap, icvn: str) -> ET.ElementTree:
    """The map of one set for one interchange version, on the 830 map's envelope."""
    template = ET.parse(BUNDLED_MAPS / ENVELOPE_TEMPLATE)
    root = copy.deepcopy(template.getroot())
    root.set("xid", spec.set_id)
    name = root.find("name")
    assert name is not None
    name.text = spec.title
    if icvn == "00501":
        isa11 = _element_node(root, "ISA11")
        data_ele = isa11.find("data_ele")
        assert data_ele is not None
        data_ele.text = "I65"  # the repetition separator from 00501 on
        valid = isa11.find("valid_codes")
        assert valid is not None
        isa11.remove(valid)
    _codes(_element_node(root, "ISA12"), (icvn,))
    _codes(_element_node(root, "GS01"), (spec.functional_id,))
    _codes(_element_node(root, "GS08"), RELEASES[icvn])
    _codes(_element_node(root, "ST01"), (spec.set_id,))
    st_loop = root.find(".//loop[@xid='ST_LOOP']")
    assert st_loop is not None
    for child in [c for c in st_loop if c.tag == "loop"]:
        st_loop.remove(child)
    if icvn == "00501":
        st = st_loop.find("segment[@xid='ST']")
        assert st is not None
        _element(st, "ST03", El("1705"))
    se = st_loop.find("segment[@xid='SE']")
    assert se is not None
    # The 830 gives ST, its tables and SE one position (010/020), so pyx12 (which files a
    # loop's child loops before its segments) takes the header table for ST_LOOP's first node
    # and never finds ST: ST goes first and SE last, as in pyx12's 997 map.
    _position(st_loop, "ST", "005")
    _position(st_loop, "SE", "080")
    gs_loop = root.find(".//loop[@xid='GS_LOOP']")
    assert gs_loop is not None
    _position(gs_loop, "GS", "010")  # the same trap one level up: GS and ST_LOOP share 020
    se_index = list(st_loop).index(se)
    holder = ET.Element("holder")
    for loop in spec.body:
        _loop(holder, loop)
    for offset, child in enumerate(holder):
        st_loop.insert(se_index + offset, child)
    return ET.ElementTree(root)


def _data_elements(path: Path, icvn: str) -> None:
    """Replace or add our data elements in the copied `dataele.xml`, as in `icvn`."""
    tree = ET.parse(path)
    root = tree.getroot()
    ours = dict(DATA_ELEMENTS)
    if icvn == "00501":
        ours.update(CHANGES_5010)
    for node in [n for n in root if n.get("ele_num") in ours]:
        root.remove(node)
    for number, (data_type, low, high, name) in sorted(ours.items()):
        ET.SubElement(
            root,
            "data_ele",
            ele_num=number,
            data_type=data_type,
            min_len=str(low),
            max_len=str(high),
            name=name,
        )
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _currencies(path: Path) -> None:
    """Add `NEWER_CURRENCIES` to the copied `codes.xml` currency set."""
    tree = ET.parse(path)
    version = tree.getroot().find("codeset[id='currency']/version")
    assert version is not None
    known = {code.text for code in version.findall("code")}
    for code in NEWER_CURRENCIES:
        if code not in known:
            _text(version, "code", code)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _register(path: Path, icvn: str, files: Mapping[str, SetMap]) -> None:
    tree = ET.parse(path)
    version = tree.getroot().find(f"version[@icvn='{icvn}']")
    assert version is not None, icvn
    for file_name, spec in files.items():
        for release in RELEASES[icvn]:
            node = ET.Element("map", vriic=release, fic=spec.functional_id, abbr=spec.set_id)
            node.text = file_name
            version.insert(0, node)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def build_map_dir(target: Path, icvn: str) -> Path:
    """Write pyx12's map directory plus our 846/832 maps for `icvn` into `target`."""
    shutil.copytree(BUNDLED_MAPS, target, ignore=shutil.ignore_patterns("__pycache__"))
    suffix = "4010" if icvn == "00401" else "5010"
    files = {f"{spec.set_id}.{suffix}.feed.xml": spec for spec in SETS}
    for file_name, spec in files.items():
        set_map(spec, icvn).write(target / file_name, encoding="utf-8", xml_declaration=True)
    _data_elements(target / "dataele.xml", icvn)
    _currencies(target / "codes.xml")
    _register(target / "maps.xml", icvn, files)
    return target


def build_feed_maps(root: Path) -> dict[str, Path]:
    """One map directory per interchange version under `root`, keyed by ISA12."""
    return {icvn: build_map_dir(root / icvn, icvn) for icvn in RELEASES}


# --- validating ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pyx12Error:
    """One error pyx12 reported."""

    where: str
    """`ISA`, `GS`, `ST`, a segment id, or an element as `QTY01` / `QTY03-01`."""
    code: str
    """pyx12's code: the AK304/IK304 segment or AK403/IK403 element error code."""
    text: str
    """pyx12's message."""


@dataclass(frozen=True, slots=True)
class Pyx12Verdict:
    """What pyx12 said about one interchange."""

    valid: bool
    """`x12n_document`'s result: no segment error and an empty error handler."""
    ack: str
    """The 997 (GS08 004010...) or 999 (005010...) pyx12 wrote."""
    errors: tuple[Pyx12Error, ...]
    """Every error of pyx12's JSON error tree, at every level."""
    set_codes: tuple[str, ...]
    """AK501/IK501 of each set as pyx12's error tree has it (A accepted, E, R)."""
    group_codes: tuple[str, ...]
    """AK901 of each group as pyx12's error tree has it."""

    @property
    def ack_segments(self) -> list[str]:
        """The acknowledgement's segments, without terminators."""
        return [s.strip() for s in self.ack.split("~") if s.strip()]

    def found(self, where: str, code: str | None = None) -> bool:
        """Whether pyx12 reported an error at `where` (with `code`, when given)."""
        return any(e.where == where and code in (None, e.code) for e in self.errors)


def _errors(where: str, node: Mapping[str, Any]) -> list[Pyx12Error]:
    return [
        Pyx12Error(where, str(error.get("err_cde")), str(error.get("err_str")))
        for error in node.get("errors", [])
    ]


def _read_tree(tree: Mapping[str, Any]) -> tuple[list[Pyx12Error], list[str], list[str]]:
    errors: list[Pyx12Error] = []
    sets: list[str] = []
    groups: list[str] = []
    for interchange in tree.get("interchanges", []):
        errors += _errors("ISA", interchange)
        for group in interchange.get("groups", []):
            errors += _errors("GS", group)
            groups.append(str(group.get("ack_code")))
            for transaction in group.get("transactions", []):
                errors += _errors("ST", transaction)
                sets.append(str(transaction.get("ack_code")))
                for segment in transaction.get("segments", []):
                    seg_id = str(segment.get("seg_id"))
                    errors += _errors(seg_id, segment)
                    for element in segment.get("elements", []):
                        where = f"{seg_id}{int(element['ele_pos']):02d}"
                        if element.get("subele_pos"):
                            where += f"-{int(element['subele_pos']):02d}"
                        errors += _errors(where, element)
    return errors, sets, groups


def validate(data: bytes, maps: Mapping[str, Path]) -> Pyx12Verdict:
    """pyx12's full validation of `data` against the feed maps of its ISA12."""
    text = data.decode("utf-8")
    icvn = text.split(text[3])[12]
    ack, tree = io.StringIO(), io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(),
        io.StringIO(text),
        ack,
        None,
        fd_json=tree,
        map_path=str(maps[icvn]),
    )
    errors, sets, groups = _read_tree(json.loads(tree.getvalue()))
    return Pyx12Verdict(
        valid=bool(valid),
        ack=ack.getvalue(),
        errors=tuple(errors),
        set_codes=tuple(sets),
        group_codes=tuple(groups),
    )
