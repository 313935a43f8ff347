"""The ceiling: a bare FastAPI app with the gateway's route shape and a fixed cXML answer.

`POST /cxml/{partner_key}` reads the whole body and returns a constant cXML Response of the size
the gateway sends; nothing is parsed or stored. Served by uvicorn with the same worker count and
options as the gateway, it measures what HTTP + ASGI + FastAPI routing cost on this machine, so
the gateway's figure can be read as a fraction of it.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

CONTENT_TYPE = "text/xml; charset=utf-8"

FIXED_RESPONSE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">\n'
    b'<cXML payloadID="1763659000000.12345.0123456789@b2connect.local" '
    b'timestamp="2026-11-20T17:16:40+00:00" version="1.2.069" xml:lang="en-US">'
    b'<Response><Status code="200" text="OK"/></Response></cXML>\n'
)

app = FastAPI(title="B2Connect benchmark ceiling", openapi_url=None, docs_url=None)


@app.post("/cxml/{partner_key}")
async def receive_cxml(partner_key: str, request: Request) -> Response:
    """Read the body, answer a fixed cXML Response."""
    await request.body()
    return Response(FIXED_RESPONSE, status_code=200, media_type=CONTENT_TYPE)


@app.get("/health")
async def health() -> dict[str, str]:
    """Readiness probe for the benchmark driver."""
    return {"status": "ok"}
