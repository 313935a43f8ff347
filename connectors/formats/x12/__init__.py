"""Sans-I/O X12: a tolerant streaming reader with envelope checks, 850 in, 855/856/810/846/832
out (846/832 also read back), 997/999/TA1 both ways. No network, no database, no environment;
see README.md.

    for event in read_x12(stream):                       # or X12Reader().feed(...)/events()
        if isinstance(event, TransactionSet) and event.set_id == "850":
            order = read_850(event, settings.inbound, tz=partner_tz)   # -> schemas.PurchaseOrder
        elif isinstance(event, GroupEnd):
            acks.append(event.acknowledge(results))      # AK1..AK9 as data
        elif isinstance(event, InterchangeEnd):
            reply = build_997(event.header, acks, numbers=next_numbers, now=now)

Errors: `X12Error` (a `connectors.core.errors.DocumentError`) with an `X12Position`:
`X12SyntaxError` (malformed) and `X12UnsupportedError` (EBCDIC, UTF-16, unmapped codes);
`X12EncodeError` (a `PermanentError`) when a canonical document cannot be written.
"""

from __future__ import annotations

from connectors.formats.x12._810 import encode_810
from connectors.formats.x12._832 import encode_832
from connectors.formats.x12._846 import encode_846
from connectors.formats.x12._850 import DEFAULT_INBOUND_RULES, read_850
from connectors.formats.x12._855 import encode_855
from connectors.formats.x12._856 import encode_856
from connectors.formats.x12._ack_997 import (
    IMPLEMENTATION_999,
    build_997,
    build_999,
    count_ack_groups,
)
from connectors.formats.x12._ack_read import read_acknowledgment
from connectors.formats.x12._acks import (
    AckCode,
    ElementErrorCode,
    ElementNote,
    GroupAck,
    GroupErrorCode,
    InterchangeAck,
    InterchangeNoteCode,
    SegmentErrorCode,
    SegmentNote,
    SetAck,
    SetErrorCode,
)
from connectors.formats.x12._delimiters import Delimiters
from connectors.formats.x12._documents import (
    FUNCTIONAL_IDS,
    OutboundDocument,
    build_document,
    encode_document,
)
from connectors.formats.x12._envelope import (
    EnvelopeNote,
    GroupEnd,
    GroupHeader,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    InterchangeKey,
    ReceivedTa1,
    TransactionSet,
    X12Event,
)
from connectors.formats.x12._errors import (
    X12EncodeError,
    X12Error,
    X12Position,
    X12SyntaxError,
    X12UnsupportedError,
)
from connectors.formats.x12._outbound import DEFAULT_OUTBOUND_RULES
from connectors.formats.x12._read_832 import read_832
from connectors.formats.x12._read_846 import read_846
from connectors.formats.x12._reader import X12Reader, read_x12
from connectors.formats.x12._settings import X12InboundRules, X12OutboundRules, X12PartnerSettings
from connectors.formats.x12._ta1 import build_ta1
from connectors.formats.x12._text import readable
from connectors.formats.x12._writer import (
    ControlNumbers,
    OutboundGroup,
    OutboundInterchange,
    OutboundSet,
    build_interchange,
)

__all__ = [
    "DEFAULT_INBOUND_RULES",
    "DEFAULT_OUTBOUND_RULES",
    "FUNCTIONAL_IDS",
    "IMPLEMENTATION_999",
    "AckCode",
    "ControlNumbers",
    "Delimiters",
    "ElementErrorCode",
    "ElementNote",
    "EnvelopeNote",
    "GroupAck",
    "GroupEnd",
    "GroupErrorCode",
    "GroupHeader",
    "InterchangeAck",
    "InterchangeEnd",
    "InterchangeFailure",
    "InterchangeHeader",
    "InterchangeKey",
    "InterchangeNoteCode",
    "OutboundDocument",
    "OutboundGroup",
    "OutboundInterchange",
    "OutboundSet",
    "ReceivedTa1",
    "SegmentErrorCode",
    "SegmentNote",
    "SetAck",
    "SetErrorCode",
    "TransactionSet",
    "X12EncodeError",
    "X12Error",
    "X12Event",
    "X12InboundRules",
    "X12OutboundRules",
    "X12PartnerSettings",
    "X12Position",
    "X12Reader",
    "X12SyntaxError",
    "X12UnsupportedError",
    "build_997",
    "build_999",
    "build_document",
    "build_interchange",
    "build_ta1",
    "count_ack_groups",
    "encode_810",
    "encode_832",
    "encode_846",
    "encode_855",
    "encode_856",
    "encode_document",
    "read_832",
    "read_846",
    "read_850",
    "read_acknowledgment",
    "read_x12",
    "readable",
]
