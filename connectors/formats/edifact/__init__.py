"""Sans-I/O UN/EDIFACT: a tolerant streaming reader with envelope and character checks, ORDERS
in, ORDRSP/DESADV/INVOIC out, CONTRL both ways, APERAK in. No network, no database, no
environment; see README.md.

    for event in read_edifact(data):                     # or EdifactReader().feed(...)/events()
        if isinstance(event, Message) and event.message_type == "ORDERS":
            order = read_orders(event, settings.inbound, tz=partner_tz)  # -> PurchaseOrder
        elif isinstance(event, InterchangeEnd):
            report = event.acknowledge(results)          # CONTRL content as data
            reply = build_contrl(report, event.header, references=refs, now=now)

Errors: `EdifactError` (a `connectors.core.errors.DocumentError`) with an `EdifactPosition` and
a 0085 code: `EdifactSyntaxError` (malformed) and `EdifactUnsupportedError` (UTF-16, EBCDIC,
UNOX, unmapped codes); `EdifactEncodeError` (a `PermanentError`) when a canonical document
cannot be written.
"""

from __future__ import annotations

from connectors.formats.edifact._aperak import (
    AperakError,
    AperakReference,
    AperakReport,
    read_aperak,
)
from connectors.formats.edifact._codes import ActionCode, SyntaxErrorCode
from connectors.formats.edifact._contrl import build_contrl, read_contrl
from connectors.formats.edifact._desadv import build_desadv, encode_desadv
from connectors.formats.edifact._documents import (
    OutboundDocument,
    build_document,
    encode_document,
)
from connectors.formats.edifact._envelope import (
    EdifactEvent,
    EnvelopeNote,
    GroupEnd,
    GroupHeader,
    InterchangeEnd,
    InterchangeFailure,
    InterchangeHeader,
    InterchangeKey,
    Message,
    Segment,
)
from connectors.formats.edifact._errors import (
    EdifactEncodeError,
    EdifactError,
    EdifactPosition,
    EdifactSyntaxError,
    EdifactUnsupportedError,
)
from connectors.formats.edifact._invoic import build_invoic, encode_invoic
from connectors.formats.edifact._invrpt import build_invrpt, encode_invrpt
from connectors.formats.edifact._orders import DEFAULT_INBOUND_RULES, read_orders
from connectors.formats.edifact._ordrsp import build_ordrsp, encode_ordrsp
from connectors.formats.edifact._outcomes import (
    ContrlReport,
    ElementNote,
    ElementRef,
    GroupOutcome,
    MessageOutcome,
    SegmentNote,
)
from connectors.formats.edifact._pricat import build_pricat, encode_pricat
from connectors.formats.edifact._read_invrpt import read_invrpt
from connectors.formats.edifact._read_pricat import read_pricat
from connectors.formats.edifact._reader import EdifactReader, read_edifact
from connectors.formats.edifact._settings import (
    EdifactInboundRules,
    EdifactOutboundRules,
    EdifactPartnerSettings,
)
from connectors.formats.edifact._syntax import ServiceCharacters
from connectors.formats.edifact._writer import (
    ControlReferences,
    OutboundInterchange,
    OutboundMessage,
    build_interchange,
)

__all__ = [
    "DEFAULT_INBOUND_RULES",
    "ActionCode",
    "AperakError",
    "AperakReference",
    "AperakReport",
    "ContrlReport",
    "ControlReferences",
    "EdifactEncodeError",
    "EdifactError",
    "EdifactEvent",
    "EdifactInboundRules",
    "EdifactOutboundRules",
    "EdifactPartnerSettings",
    "EdifactPosition",
    "EdifactReader",
    "EdifactSyntaxError",
    "EdifactUnsupportedError",
    "ElementNote",
    "ElementRef",
    "EnvelopeNote",
    "GroupEnd",
    "GroupHeader",
    "GroupOutcome",
    "InterchangeEnd",
    "InterchangeFailure",
    "InterchangeHeader",
    "InterchangeKey",
    "Message",
    "MessageOutcome",
    "OutboundDocument",
    "OutboundInterchange",
    "OutboundMessage",
    "Segment",
    "SegmentNote",
    "ServiceCharacters",
    "SyntaxErrorCode",
    "build_contrl",
    "build_desadv",
    "build_document",
    "build_interchange",
    "build_invoic",
    "build_invrpt",
    "build_ordrsp",
    "build_pricat",
    "encode_desadv",
    "encode_document",
    "encode_invoic",
    "encode_invrpt",
    "encode_ordrsp",
    "encode_pricat",
    "read_aperak",
    "read_contrl",
    "read_edifact",
    "read_invrpt",
    "read_orders",
    "read_pricat",
]
