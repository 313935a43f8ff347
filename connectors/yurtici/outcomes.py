"""What Yurtici's answers mean for the hub: its codes, and the error each failure becomes.

Yurtici answers most failures inside HTTP 200: `outFlag` 0 (at least one item succeeded),
1 (every item failed) or 2 (unexpected error), `outResult` text, `errCode`, and per item
`errCode` (0 ok) and `errMessage`. A SOAP Fault (`YurticikargoWSException {errorCode,
errText}`) is the other way it refuses. Classification, once, here:

    outFlag 2, errCode 936            TransientError (Yurtici's "unexpected error")
    a refusal naming the credentials  AuthError (by its words: the codes are not published)
    item 60020                        the cargoKey exists: not an error, the booking is verified
    any other item errCode            RejectedByPartnerError with Yurtici's code and text
    Fault, faultcode Client           RejectedByPartnerError (our envelope is wrong)
    Fault, faultcode Server           TransientError (bounded retries, then the outbox's)
"""

from __future__ import annotations

import re
from typing import Any

from connectors.core.errors import AuthError, ConnectorError, RejectedByPartnerError, TransientError
from connectors.yurtici.contract import SoapFault

OK = 0
DUPLICATE_CARGO_KEY = 60020
"""ERR_EXIST_CARGO_KEY_PARAM: a shipment with this cargoKey exists."""
UNEXPECTED = 936
"""Yurtici's unexpected error: transient."""
CANCEL_KEY_NOT_FOUND = 82519
CANCEL_ALREADY_CANCELLED = 82520

VALIDATION_CODES: dict[int, str] = {
    80859: "cargoKey missing",
    82500: "cargoKey missing or too long",
    60017: "invoiceKey",
    82501: "invoiceKey",
    60018: "receiver name",
    82503: "receiver name",
    60019: "receiver address",
    82502: "receiver address",
    82515: "e-mail address",
    82516: "receiver phone",
    82526: "query keys missing",
    82527: "query key type missing",
}
"""Codes of a refusal of the data (researched: partners.md 6.1); the text comes from Yurtici."""

_CREDENTIAL_WORDS = re.compile(
    r"[şs]ifre|parola|kullan[ıi]c[ıi] ad[ıi]|password|user ?name|yetki|"  # noqa: RUF001
    r"authenticat|authori[sz]|credential|login",
    re.IGNORECASE,
)
"""How a refusal of our credentials reads (ASSUMED: Yurtici publishes no code for it)."""


def is_about_credentials(*texts: str | None) -> bool:
    """True when Yurtici's words say our user name or password was refused."""
    return any(text and _CREDENTIAL_WORDS.search(text) for text in texts)


def in_words(code: object, text: str | None) -> str:
    """`<code> <text>` as Yurtici sent them, for an error message."""
    return " ".join(part for part in (str(code) if code is not None else "", text or "") if part)


def fault_error(fault: SoapFault, what: str) -> ConnectorError:
    """The hub's error for a SOAP Fault."""
    words = fault.describe()
    if is_about_credentials(fault.text, fault.error_text):
        return AuthError(f"{what}: Yurtici refused our credentials ({words})")
    if fault.code.lower() == "client":
        return RejectedByPartnerError(f"{what}: Yurtici refused the request ({words})")
    return TransientError(f"{what}: Yurtici failed ({words})")


def result_error(result: Any, what: str) -> ConnectorError | None:
    """The error a whole answer carries (`outFlag` 1 or 2 with no item to tell more), or None."""
    flag = str(getattr(result, "outFlag", "") or "").strip()
    code = _int(getattr(result, "errCode", None))
    text = getattr(result, "outResult", None)
    if flag in {"", "0"}:
        return None
    words = in_words(code, text)
    if flag == "2" or code == UNEXPECTED:
        return TransientError(f"{what}: Yurtici had an unexpected error ({words})")
    if is_about_credentials(text):
        return AuthError(f"{what}: Yurtici refused our credentials ({words})")
    return None


def item_error(code: int | None, text: str | None, what: str) -> ConnectorError:
    """The hub's error for one item Yurtici did not accept (not 0, not 60020)."""
    words = in_words(code, text)
    if code == UNEXPECTED:
        return TransientError(f"{what}: Yurtici had an unexpected error ({words})")
    if is_about_credentials(text):
        return AuthError(f"{what}: Yurtici refused our credentials ({words})")
    return RejectedByPartnerError(f"{what}: Yurtici refused it ({words})")


def whole_refusal(result: Any, what: str) -> ConnectorError:
    """An `outFlag` 1 answer with no item in it: a refusal of the request as a whole."""
    code = _int(getattr(result, "errCode", None))
    return item_error(code, getattr(result, "outResult", None), what)


def _int(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.lstrip("-").isdigit() else None


def code_of(value: object) -> int | None:
    """An `errCode` (int or numeric string) as an int; None when absent."""
    return _int(value)
