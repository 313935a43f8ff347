"""The integration API: the ERP pushes products, stock levels, prices and customers.

`POST /api/v1/integration/{products|stock|prices|customers}` (PUT too: the rows are put in
place by natural key) with `{"rows": [...]}`, authenticated by an API key with the endpoint's
scope. Rows are validated one by one: a bad row is `rejected` with its reason and the others
are applied (200). Only a body that cannot be read as a batch is refused whole: 400 (not JSON),
413 (over the size limit), 422 (not `{"rows": [...]}`, more than 20,000 rows, an
Idempotency-Key reused with another body).

`Idempotency-Key` is optional: re-sending rows is harmless anyway (a row already stored is
`unchanged`), but with the key a retry gets the original answer without touching the data.
Every call is in the document log (protocol `rest`, kind `integration.<endpoint>`, partner =
the key's name), its answer too, committed with the rows it applied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from gateway_api.http.body import read_limited_body
from gateway_api.http.deps import RuntimeDep, require_scope
from gateway_api.http.integration_models import (
    MAX_ROWS,
    ROW_MODELS,
    IntegrationAnswer,
    StockRowIn,
    answer_json,
    batch_schema,
)
from gateway_api.http.openapi import problem
from gateway_api.http.problems import PROBLEM_JSON, field_name
from gateway_api.runtime import Runtime
from gateway_api.services.catalog import ApplyReport, CatalogService
from gateway_api.services.document_log import inbound_record, reply_record
from gateway_api.store.api_key_records import ApiKeyRecord, IntegrationCallRecord
from gateway_api.store.ports import StoreConflictError, StoreError, UnitOfWork
from gateway_api.store.records import DocumentOutcome

TAG = {
    "name": "integration",
    "description": "The ERP pushes its master data (products, stock levels, prices, customers) "
    "with a per-system API key: rows applied by natural key, a result per row, feeds told "
    "what changed (docs/integration-api.md).",
}
router = APIRouter(prefix="/api/v1/integration", tags=[TAG["name"]])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Optional. A retry with the same key and body gets the original answer and "
        "applies nothing again; the same key with another body is refused (422).",
    ),
]
Results = Annotated[
    Literal["all", "rejected"],
    Query(description="`all`: a result per row; `rejected`: only the rejected rows."),
]

RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem("The body is not JSON"),
    401: problem("No API key, or an unknown or revoked one"),
    403: problem("The API key does not have this endpoint's scope"),
    413: problem("The body is over the size limit (B2CONNECT_MAX_BODY_BYTES)"),
    422: problem(
        'The body is not `{"rows": [...]}`, has more than 20,000 rows, or the Idempotency-Key '
        "was used with another body"
    ),
    503: problem("The database is unavailable; retry later (with the same Idempotency-Key)"),
}


class _RefusedError(Exception):
    """A body refused whole: answered as problem+json and logged."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail

    def body(self) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }


def _endpoint(name: str, scope: str, summary: str) -> None:
    model = ROW_MODELS[name]

    async def handle(
        request: Request,
        runtime: RuntimeDep,
        key: Annotated[ApiKeyRecord, Depends(require_scope(scope))],
        idempotency_key: IdempotencyKey = None,
        results: Results = "all",
    ) -> JSONResponse:
        body = await read_limited_body(request, runtime.settings.max_body_bytes)
        call = _Call(runtime, key, name, idempotency_key, results == "all")
        if body.oversized:
            refusal = _RefusedError(
                413,
                "Payload too large",
                f"the body is {body.size} bytes, over the limit of "
                f"{runtime.settings.max_body_bytes}; send fewer rows per call",
            )
            return await run_in_threadpool(call.refuse, body.data, refusal, body.size)
        return await run_in_threadpool(call.run, body.data, model)

    # The key's annotation names this closure's `scope`, which string annotations (`from
    # __future__ import annotations`) cannot reach: hand FastAPI the object itself.
    handle.__annotations__["key"] = Annotated[ApiKeyRecord, Depends(require_scope(scope))]
    handle.__name__ = f"push_{name}"
    handle.__doc__ = (
        f"{summary} Up to {MAX_ROWS:,} rows per call; each row is validated and applied on its "
        "own (a bad row is rejected with its reason, the others are applied). Answer: the counts "
        "and a result per row (`?results=rejected`: only the rejected rows)."
    )
    extra = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": batch_schema(model)}},
        }
    }
    for method in ("POST", "PUT"):
        router.add_api_route(
            f"/{name}",
            handle,
            methods=[method],
            name=f"{'push' if method == 'POST' else 'put'}_{name}",
            summary=summary,
            response_model=IntegrationAnswer,
            responses=RESPONSES,
            openapi_extra=extra,
        )


class _Call:
    """One integration call, run in a worker thread: replay, parse, validate, apply, log."""

    def __init__(
        self,
        runtime: Runtime,
        key: ApiKeyRecord,
        name: str,
        idempotency_key: str | None,
        all_rows: bool,
    ) -> None:
        self.runtime, self.key, self.name = runtime, key, name
        self.idempotency_key, self.all_rows = idempotency_key, all_rows
        self.kind = f"integration.{name}"

    def run(self, data: bytes, model: type[BaseModel]) -> JSONResponse:
        sha = hashlib.sha256(data).hexdigest()
        try:
            replay = self._replay(data, sha)
            if replay is not None:
                return replay
            rows = _rows(data)
            return self._apply(data, sha, rows, model)
        except _RefusedError as refusal:
            return self.refuse(data, refusal)
        except StoreConflictError:
            # A twin with the same Idempotency-Key committed first: answer as it was answered.
            replay = self._replay(data, sha)
            if replay is not None:
                return replay
            raise
        except StoreError:
            return JSONResponse(
                {
                    "type": "about:blank",
                    "title": "Service unavailable",
                    "status": 503,
                    "detail": "the database is unavailable; retry later",
                },
                status_code=503,
                media_type=PROBLEM_JSON,
            )

    def refuse(
        self, data: bytes, refusal: _RefusedError, declared: int | None = None
    ) -> JSONResponse:
        """Log the body and the refusal; answer it."""
        answer = json.dumps(refusal.body()).encode()
        try:
            with self.runtime.uow() as uow:
                self._log(
                    uow,
                    data,
                    answer,
                    refusal.status,
                    DocumentOutcome.REJECTED,
                    declared,
                    refusal.detail,
                )
                uow.commit()
        except StoreError:
            pass  # the database is down: the refusal is still answered (the access log has it)
        return JSONResponse(refusal.body(), status_code=refusal.status, media_type=PROBLEM_JSON)

    def _replay(self, data: bytes, sha: str) -> JSONResponse | None:
        if self.idempotency_key is None:
            return None
        with self.runtime.uow() as uow:
            previous = uow.integration_calls.get(self.key.id, self.idempotency_key)
            if previous is None:
                return None
            if previous.request_sha256 != sha or previous.endpoint != self.name:
                raise _RefusedError(
                    422,
                    "Idempotency-Key reused",
                    f"the Idempotency-Key {self.idempotency_key!r} was used with another body "
                    f"(or endpoint) at {previous.created_at.isoformat()}; use a new key for new "
                    "rows",
                )
            answer = json.dumps(previous.response).encode()
            self._log(uow, data, answer, previous.status_code, DocumentOutcome.DUPLICATE)
            uow.commit()
        return JSONResponse(previous.response, status_code=previous.status_code)

    def _apply(
        self, data: bytes, sha: str, rows: list[Any], model: type[BaseModel]
    ) -> JSONResponse:
        valid: list[Any] = []
        positions: list[int] = []
        invalid: dict[int, tuple[str, str]] = {}
        for index, raw in enumerate(rows):
            try:
                row = model.model_validate(raw)
            except ValidationError as error:
                invalid[index] = (_raw_key(self.name, raw), _reason(error))
                continue
            valid.append(row.update() if isinstance(row, StockRowIn) else row)
            positions.append(index)
        answer: dict[str, Any] = {}

        def record(uow: UnitOfWork, report: ApplyReport) -> None:
            answer.update(answer_json(report, invalid, positions, all_rows=self.all_rows))
            self._log(uow, data, json.dumps(answer).encode(), 200, DocumentOutcome.PROCESSED)
            if self.idempotency_key is not None:
                uow.integration_calls.add(
                    IntegrationCallRecord(
                        api_key_id=self.key.id,
                        idempotency_key=self.idempotency_key,
                        endpoint=self.name,
                        request_sha256=sha,
                        status_code=200,
                        response=answer,
                        created_at=self.runtime.clock(),
                    )
                )

        service = CatalogService(self.runtime.uow, clock=self.runtime.clock)
        apply: Callable[..., ApplyReport] = getattr(service, f"apply_{self.name}")
        apply(valid, source=f"api:{self.key.name}", within=record)
        return JSONResponse(answer)

    def _log(
        self,
        uow: UnitOfWork,
        data: bytes,
        answer: bytes,
        status: int,
        outcome: DocumentOutcome,
        declared: int | None = None,
        detail: str | None = None,
    ) -> None:
        at = self.runtime.clock()
        request = inbound_record(
            data,
            partner_key=self.key.name,
            protocol="rest",
            kind=self.kind,
            outcome=outcome,
            status_code=status,
            at=at,
            authenticated=True,
            payload_id=self.idempotency_key,
            detail=detail,
            content_type="application/json",
            declared_size=declared,
        )
        reply = reply_record(
            answer,
            reply_to=request,
            kind=f"{self.kind}.answer",
            status_code=status,
            at=at,
            content_type=PROBLEM_JSON if status >= 400 else "application/json",
        )
        uow.documents.add(request, reply)


def _rows(data: bytes) -> list[Any]:
    """The body's rows, or a `_RefusedError` saying why the body is not a batch. Numbers are read as
    decimals, exactly as written (no binary float on the way)."""
    try:
        body = json.loads(data, parse_float=Decimal)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _RefusedError(
            400, "Body is not JSON", 'send a JSON object: {"rows": [...]}'
        ) from None
    if not isinstance(body, dict) or set(body) != {"rows"} or not isinstance(body["rows"], list):
        raise _RefusedError(
            422,
            "Request validation failed",
            "the body is a JSON object with one key, `rows`: a list",
        )
    rows: list[Any] = body["rows"]
    if len(rows) > MAX_ROWS:
        raise _RefusedError(
            422,
            "Too many rows",
            f"{len(rows)} rows; at most {MAX_ROWS} per call: send them in several calls",
        )
    return rows


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{field_name(['body', *item.get('loc', ())])}: {message}")
    return "; ".join(parts)


def _raw_key(name: str, raw: Any) -> str:
    """The key of a row that failed validation, as far as it can be read."""
    if not isinstance(raw, dict):
        return ""
    if name == "customers":
        return str(raw.get("code", ""))[:300]
    sku = str(raw.get("sku", ""))[:300]
    if name == "stock":
        return f"{sku}@{str(raw.get('location', ''))[:100]}"
    return sku


_endpoint("products", "products:write", "Push items of the ERP's item master")
_endpoint("stock", "stock:write", "Push stock levels per item and location")
_endpoint("prices", "prices:write", "Push price tiers")
_endpoint("customers", "customers:write", "Push customer cards")
