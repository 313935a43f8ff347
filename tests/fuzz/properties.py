"""What every fuzzed request must satisfy, as checks that return violations (sentences).

Checks return a list of what is wrong rather than asserting, so a campaign can record every
violation of an example and go on (`verdict`), while the suite fails on the first example that
has any. The store is read directly (every table, every column), not through the API: "no secret
readable back" must hold for anything the hub keeps, not only for what an endpoint shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import Engine, select

from connectors.formats.cxml._redact import WITHHELD
from gateway_api.services.document_log import AUDIT_BODY_LIMIT
from gateway_api.store.tables import documents, metadata, orders

REPORT_VAR = "B2CONNECT_FUZZ_REPORT"
"""When set to a file, violations are appended there as JSON lines instead of failing the
test (a campaign collects every distinct failure; the suite itself never sets it)."""

PROBLEM_JSON = "application/problem+json"
SECRET_ENCODINGS = (
    "utf-8",
    "utf-16-le",
    "utf-16-be",
    "utf-32-le",
    "utf-32-be",
    "cp500",
    "cp037",
)
"""How a secret may sit in stored bytes: every encoding the fuzzers send text in."""

KEPT_TABLES = frozenset({"partners"})
"""Rows that survive a reset: the partner mirror, which orders and documents point at."""


def reset_store(engine: Engine) -> None:
    """Empty every table but the partner mirror: a fresh hub for the next example (hypothesis
    runs many examples per test function, and function-scoped fixtures do not reset between
    them)."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                connection.execute(table.delete())


def secret_forms(secret: str, extra_encodings: Iterable[str] = ()) -> dict[str, bytes]:
    """`secret` as bytes in every encoding it could be stored in."""
    forms: dict[str, bytes] = {}
    for encoding in (*SECRET_ENCODINGS, *extra_encodings):
        try:
            forms.setdefault(encoding, secret.encode(encoding))
        except (LookupError, UnicodeEncodeError):
            continue
    return forms


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", errors="surrogatepass")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str).encode(
            "utf-8", errors="surrogatepass"
        )
    return str(value).encode("utf-8", errors="surrogatepass")


def secrets_readable(
    engine: Engine,
    secrets: Sequence[str],
    *,
    encodings: Iterable[str] = (),
    answer: bytes = b"",
) -> list[str]:
    """Where any of `secrets` can be read back: any cell of any table, or our answer."""
    found: list[str] = []
    forms = {secret: secret_forms(secret, encodings) for secret in secrets}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    cell = _as_bytes(value)
                    for secret, by_encoding in forms.items():
                        encoding = next((e for e, f in by_encoding.items() if f in cell), None)
                        if encoding is not None:
                            found.append(
                                f"secret {secret!r} readable in {table.name}.{column} "
                                f"as {encoding} (row kind={row.get('kind')!r}, "
                                f"outcome={row.get('outcome')!r}, "
                                f"status={row.get('status_code')!r})"
                            )
    for secret, by_encoding in forms.items():
        encoding = next((e for e, f in by_encoding.items() if f in answer), None)
        if encoding is not None:
            found.append(f"secret {secret!r} echoed in the answer as {encoding}")
    return found


def _mentions_secret(
    body: bytes, secrets: Sequence[str], *, extra_tags: Sequence[str] = ()
) -> bool:
    """True when `body` has anything a masker may touch: a secret, a SharedSecret-like tag, or
    one of `extra_tags` (in any encoding)."""
    lowered = body.lower()
    for name in ("Secret", *extra_tags):
        if any(tag.lower() in lowered for tag in secret_forms(name, ()).values()):
            return True
    return any(form in body for s in secrets for form in secret_forms(s).values())


def _is_xml_text(body: bytes) -> bool:
    """UTF-8 without a NUL byte: text an XML parser could read. U+0000 is no XML character
    (XML 1.0 section 2.2), so a body holding one is binary or another encoding, and the cXML
    masking may withhold it (connectors/formats/cxml/_redact.py) rather than guess."""
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def raw_bytes_stored(
    engine: Engine,
    body: bytes,
    *,
    secrets: Sequence[str] = (),
    exact: bool = True,
    undecodable_masked: bool = False,
    masked: bool = False,
) -> list[str]:
    """The body is in the document log: an inbound row whose sha256 and size are those of the
    bytes received (gateway_api/services/document_log.py), holding the bytes themselves (cut to
    the audit limit when the sender was not authenticated). Masking may replace values by
    `***` (`is_masked_copy`) when it has a reason to: a secret, a SharedSecret or Credential tag
    in some encoding, `masked` (the caller knows its protocol's redaction may apply), or (with
    `undecodable_masked`, for cXML) a body that is not UTF-8 XML text (`_is_xml_text`), which
    may also be withheld whole so that no secret can be read back. Nothing is compared when
    `exact` is off."""
    digest = hashlib.sha256(body).hexdigest()
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                select(documents).where(
                    documents.c.direction == "inbound", documents.c.sha256 == digest
                )
            ).mappings()
        )
    if not rows:
        return [f"no inbound document row with the body's sha256 ({len(body)} bytes sent)"]
    problems = []
    row = rows[0]
    if row["size"] != len(body):
        problems.append(f"documents.size is {row['size']}, the body had {len(body)} bytes")
    stored = bytes(row["body"])
    expected = body[:AUDIT_BODY_LIMIT] if row["body_truncated"] else body
    if stored == expected or not exact:
        return problems
    if undecodable_masked and not _is_xml_text(body) and stored == WITHHELD:
        return problems
    may_mask = (
        masked
        or (undecodable_masked and not _is_xml_text(body))
        or _mentions_secret(body, secrets, extra_tags=("Credential",))
    )
    at = next(
        (i for i, (a, b) in enumerate(zip(stored, expected, strict=False)) if a != b),
        min(len(stored), len(expected)),
    )
    if not may_mask:
        problems.append(
            f"stored body differs from the bytes received at byte {at} "
            f"(stored {len(stored)} bytes, sent {len(body)})"
        )
    elif not is_masked_copy(stored, expected):
        problems.append(
            f"stored body differs from the bytes received at byte {at} by more than masked "
            f"values (stored {len(stored)} bytes, sent {len(body)})"
        )
    return problems


MASK_FORMS = tuple(
    "***".encode(encoding)
    for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be", "cp037", "ascii")
)
"""`***` in every encoding the masking writes it in, the widest first."""
_ANY_MASK = re.compile(b"|".join(re.escape(form) for form in MASK_FORMS))


def is_masked_copy(stored: bytes, received: bytes) -> bool:
    """`stored` is `received` with some byte ranges replaced by `***` (in some encoding): the
    pieces between the masks are found in `received` in order, the first at its start and the
    last at its end. Masking may hide values, never change or drop anything else.

    The stored bytes are split at the masks of one encoding at a time, then of all of them: a
    wide mask next to the zero bytes of wide text also reads as a mask of another width one
    byte earlier, and splitting there would cut a piece short."""
    splitters = [re.compile(re.escape(form)) for form in MASK_FORMS] + [_ANY_MASK]
    return any(_pieces_in_order(splitter.split(stored), received) for splitter in splitters)


def _pieces_in_order(pieces: list[bytes], received: bytes) -> bool:
    if len(pieces) == 1:
        return False  # no mask, and the bytes differ
    if not received.startswith(pieces[0]) or not received.endswith(pieces[-1]):
        return False
    position = len(pieces[0])
    for piece in pieces[1:-1]:
        found = received.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return position <= len(received) - len(pieces[-1])


def cxml_answer(status: int, content_type: str, body: bytes) -> list[str]:
    """A parseable cXML Response whose Status code class is the HTTP status's."""
    problems = []
    if status >= 500:
        problems.append(f"HTTP {status}")
    if not content_type.startswith("text/xml"):
        problems.append(f"content-type {content_type!r}, not text/xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        return [*problems, f"answer is not XML ({error}): {body[:120]!r}"]
    node = root.find("Response/Status") if root.tag == "cXML" else None
    if node is None:
        return [*problems, f"answer is not a cXML Response with a Status: {body[:160]!r}"]
    try:
        code = int(node.get("code", ""))
    except ValueError:
        return [*problems, f"Status code {node.get('code')!r} is not a number"]
    expected = 200 if code < 300 else code
    if status != expected:
        problems.append(f"HTTP {status} carries cXML Status {code} (expected HTTP {expected})")
    return problems


def problem_json(status: int, content_type: str, body: bytes) -> list[str]:
    """An RFC 9457 problem+json body whose `status` is the HTTP status."""
    if content_type.split(";", maxsplit=1)[0].strip() != PROBLEM_JSON:
        return [f"HTTP {status} answered as {content_type!r}, not problem+json: {body[:120]!r}"]
    try:
        problem = json.loads(body)
    except ValueError as error:
        return [f"problem+json that is not JSON ({error})"]
    if not isinstance(problem, dict) or problem.get("status") != status:
        return [f"problem+json whose status is not {status}: {body[:160]!r}"]
    if not isinstance(problem.get("title"), str):
        return [f"problem+json without a title: {body[:160]!r}"]
    return []


ISA_SEPARATOR_OFFSETS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
ISA_LENGTH = 106


def readable_isa(body: bytes, *, any_delimiter: bool = False) -> bool:
    """True when the body starts with an ISA of the standard's fixed width: the element
    separator at each of its 16 offsets and nowhere else, the component separator and segment
    terminator distinct from it and from each other (and, unless `any_delimiter`, none of them
    a letter, digit, space or non-ASCII byte). From such a header a TA1 (or a 997) can always be
    addressed, whatever follows."""
    data = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if len(data) < ISA_LENGTH or not data.startswith(b"ISA"):
        return False
    head = data[:ISA_LENGTH]
    element, component, terminator = head[3:4], head[104:105], head[105:106]
    offsets = [i for i in range(ISA_LENGTH - 2) if head[i : i + 1] == element]
    if offsets != list(ISA_SEPARATOR_OFFSETS):
        return False
    delimiters = {element, component, terminator}
    if len(delimiters) != 3:
        return False
    if any_delimiter:
        return True
    return all(not d.isalnum() and d != b" " and d < b"\x80" for d in delimiters)


@dataclass(frozen=True)
class X12Answer:
    """What an X12 answer body holds."""

    segments: tuple[str, ...]

    @property
    def acknowledges(self) -> bool:
        """A TA1, or a 997/999 set."""
        return any(
            s.startswith("TA1") or (s.startswith("ST") and s[3:6] in {"997", "999"})
            for s in self.segments
        )


def x12_interchange(body: bytes) -> X12Answer | None:
    """The segments of an X12 interchange answer (fixed-width ISA ... IEA), or None."""
    if not body.startswith(b"ISA") or not readable_isa(body, any_delimiter=True):
        return None
    text = body.decode("latin-1")
    terminator = text[105]
    return X12Answer(tuple(s.strip() for s in text.split(terminator) if s.strip()))


def x12_answer(
    status: int, content_type: str, answer: bytes, *, sent: bytes, acknowledges: bool = True
) -> list[str]:
    """For a partner set up for 997s: a 997/999 or TA1 interchange for any body whose ISA can be
    read; problem+json only for a body with no readable interchange (or a refused token/size)."""
    if status >= 500:
        return [f"HTTP {status}: {answer[:160]!r}"]
    if status == 202:
        if acknowledges and not _only_acknowledgements(sent):
            return ["HTTP 202 with no acknowledgement for a partner set up for 997s"]
        return []
    if status == 200:
        problems = []
        if not content_type.startswith("application/edi-x12"):
            problems.append(f"HTTP 200 as {content_type!r}, not application/edi-x12")
        parsed = x12_interchange(answer)
        if parsed is None:
            problems.append(f"HTTP 200 but the answer is not an X12 interchange: {answer[:160]!r}")
        elif not parsed.segments[-1].startswith("IEA"):
            problems.append(f"the answer interchange stops before its IEA: {answer[-160:]!r}")
        elif not parsed.acknowledges:
            problems.append(f"the answer holds no TA1, 997 or 999: {parsed.segments[:6]}")
        return problems
    problems = problem_json(status, content_type, answer)
    if status == 400 and readable_isa(sent):
        problems.append("HTTP 400 problem+json for a body whose ISA is readable (no TA1 or 997)")
    return problems


def _only_acknowledgements(sent: bytes) -> bool:
    """The body's groups are all the partner's own acknowledgements (GS01 FA), which are
    never acknowledged: 202 with no body is their right answer."""
    if len(sent) < 4:
        return False
    separator = sent[3:4]
    groups = [
        segment.split(separator)[1:2]
        for segment in sent.replace(b"\r", b"").replace(b"\n", b"").split(sent[105:106] or b"~")
        if segment.startswith(b"GS" + separator)
    ]
    return bool(groups) and all(group == [b"FA"] for group in groups)


def x12_ack_agrees_with_store(engine: Engine, answer: bytes) -> list[str]:
    """When every group of the answer's 997/999s is rejected (AK9 R), no order was stored:
    what the acknowledgement says and what is stored must agree."""
    parsed = x12_interchange(answer)
    if parsed is None:
        return []
    separator = answer[3:4].decode("latin-1")
    codes = [s.split(separator)[1:2] for s in parsed.segments if s.startswith(f"AK9{separator}")]
    if not codes or any(code != ["R"] for code in codes):
        return []
    with engine.connect() as connection:
        stored = list(connection.execute(select(orders.c.order_id)))
    if stored:
        names = ", ".join(str(row.order_id) for row in stored)
        return [f"the 997 rejects every group (AK9 R) but orders were stored: {names}"]
    return []


def verdict(problems: Sequence[str], *, test: str, steps: Sequence[str], body: bytes) -> None:
    """Fail with every problem of this example, or record them when a campaign collects."""
    if not problems:
        return
    report = os.environ.get(REPORT_VAR)
    if report:
        record = {
            "test": test,
            "problems": list(problems),
            "steps": list(steps),
            "size": len(body),
            "body": body[:4000].decode("latin-1"),
        }
        with Path(report).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        return
    lines = "\n  ".join(problems)
    recipe = "\n  ".join(steps)
    raise AssertionError(f"{lines}\nmade by:\n  {recipe}\nbody[:300]={body[:300]!r}")
