"""The Coupa REST "ingress": no HTTP endpoint (Coupa orders are pulled), but the same front
door every INBOUND protocol has for the rest: recognising its documents for `translate`,
reading one without credentials, and the refusals' answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from connectors.core.contract import ConnectorContext
from connectors.core.errors import AuthenticityError, DocumentError, MalformedDocumentError
from connectors.core.inbound import (
    DocumentProblem,
    InboundBatch,
    InboundDocument,
    InboundRefusal,
    InboundReply,
    InboundRequest,
    InboundUnit,
    Reason,
)
from connectors.coupa_rest.purchase_order import (
    CoupaRestRules,
    purchase_order_key,
    read_purchase_order,
)

DOCUMENT_KIND = "purchase_order"
"""What the profile's `documents.inbound` lists for this connector."""
IDEMPOTENCY_SCOPE = "coupa-po"


def purchase_order_document(
    data: Mapping[str, Any], *, tz: tzinfo, rules: CoupaRestRules, key: str
) -> InboundDocument:
    """One Coupa order as an inbound document: its canonical order, or why it cannot be read."""
    reference = key
    try:
        order = read_purchase_order(data, tz=tz, rules=rules)
    except DocumentError as error:
        problem = DocumentProblem(Reason.MALFORMED, str(error))
        return InboundDocument(DOCUMENT_KIND, reference, {}, problem=problem)
    return InboundDocument(DOCUMENT_KIND, reference, {}, content=order)


class CoupaRestIngress:
    """Recognises and reads Coupa purchase-order JSON; partners never POST it to us."""

    name = "coupa_rest"
    path: str | None = None
    media_type = "application/json"
    summary = "Coupa purchase orders (pulled, never pushed)"
    description = "Coupa purchase orders are fetched by the pull-orders job."
    refusal_statuses: Mapping[int, str] = {}

    def sniff(self, head: bytes) -> bool:
        """A JSON object that names a `po-number`."""
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and b'"po-number"' in head

    def redact(self, body: bytes) -> bytes:
        """Coupa order JSON carries no secret."""
        return body

    def refuse_unknown(self, request: InboundRequest) -> InboundRefusal:
        """Nobody pushes Coupa orders to the hub."""
        del request
        return InboundRefusal(AuthenticityError("Coupa orders are pulled, never pushed"))

    def reply_refusal(self, refusal: InboundRefusal, context: ConnectorContext) -> InboundReply:
        """Nothing goes back on a wire; the status says what happened (for the log)."""
        del context
        status = 401 if isinstance(refusal.error, AuthenticityError) else 400
        return InboundReply(status)

    def translate(
        self, body: bytes, *, tz: tzinfo, config: Mapping[str, Any] | None = None
    ) -> InboundBatch:
        """The order in `body`, read with the partner's rules (or a placeholder buyer)."""
        try:
            data = json.loads(body, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise MalformedDocumentError(f"not JSON: {error}", location="$") from None
        if not isinstance(data, dict):
            raise MalformedDocumentError("a Coupa purchase order is a JSON object", location="$")
        rules_data = dict((config or {}).get("rules") or {"buyer_identity": "coupa"})
        rules = CoupaRestRules.model_validate(rules_data)
        key = purchase_order_key(data)
        document = purchase_order_document(data, tz=tz, rules=rules, key=key)
        unit = InboundUnit(IDEMPOTENCY_SCOPE, key, document.reference, (document,))
        return InboundBatch(DOCUMENT_KIND, document.reference, (unit,))


COUPA_REST_INGRESS = CoupaRestIngress()
