"""The query service's `GetQueryJSON(loginInfo, queryInfo)`: one reference's cargo, as JSON.

Both arguments are XML documents passed as strings (partners.md §6.2):
`<LoginInfo><UserName/><Password/><CustomerCode/></LoginInfo>` and
`<QueryInfo><QueryType>1</QueryType><IntegrationCode/></QueryInfo>` (type 1: by the customer's
reference). They are built with lxml and set as element text, so they travel escaped inside the
envelope. The answer's `GetQueryJSONResult` is a JSON text; its record carries `KARGO_TAKIP_NO`
(the tracking number), `DURUM_KODU` and `DURUMU` (status code and name), as public clients
read it. The record is looked for at any depth [ASSUME: the wrapper is not published]; none
means Aras has no cargo for the reference yet (the waybill is issued at pickup).

SOAPAction is WCF's `http://tempuri.org/IArasCargoIntegrationService/GetQueryJSON`.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from connectors.aras.config import ArasConfig
from connectors.aras.soap import child_text, operation, q
from connectors.core.errors import TransientError

__all__ = ["GET_QUERY_JSON", "find_cargo", "query_by_reference", "read_query"]

GET_QUERY_JSON = "http://tempuri.org/IArasCargoIntegrationService/GetQueryJSON"
QUERY_BY_INTEGRATION_CODE = "1"
_RECORD_KEYS = frozenset({"KARGO_TAKIP_NO", "DURUM_KODU"})
_MAX_DEPTH = 8


def query_by_reference(reference: str, config: ArasConfig) -> etree._Element:
    """The `GetQueryJSON` operation element asking for `reference` (QueryType 1)."""
    password = config.query_password or config.password
    login = etree.Element("LoginInfo")
    etree.SubElement(login, "UserName").text = config.query_username or config.username
    etree.SubElement(login, "Password").text = password.get_secret_value()
    etree.SubElement(login, "CustomerCode").text = config.customer_code
    query = etree.Element("QueryInfo")
    etree.SubElement(query, "QueryType").text = QUERY_BY_INTEGRATION_CODE
    etree.SubElement(query, "IntegrationCode").text = reference
    element = operation("GetQueryJSON")
    etree.SubElement(element, q("loginInfo")).text = etree.tostring(login, encoding="unicode")
    etree.SubElement(element, q("queryInfo")).text = etree.tostring(query, encoding="unicode")
    return element


def read_query(response: etree._Element) -> dict[str, Any] | None:
    """The cargo record of a GetQueryJSON answer; None when Aras has none."""
    text = child_text(response, "GetQueryJSONResult")
    if not text:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        msg = "GetQueryJSON: the result is not JSON"
        raise TransientError(msg) from None
    return find_cargo(data)


def find_cargo(data: Any, depth: int = 0) -> dict[str, Any] | None:
    """The first object holding `KARGO_TAKIP_NO` or `DURUM_KODU`, at any depth."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(data, dict):
        if _RECORD_KEYS & data.keys():
            return data
        values: list[Any] = list(data.values())
    elif isinstance(data, list):
        values = data
    else:
        return None
    for value in values:
        found = find_cargo(value, depth + 1)
        if found is not None:
            return found
    return None
