"""Test kit for connectors: the shared conformance suite, hard cases and fake platforms.

- `conformance`: `ConnectorConformance` and `CxmlPlatformConformance`, the pytest base classes
  every connector's test inherits (imports pytest).
- `hard_cases`: awkward but legitimate cXML inputs every cXML connector must survive.
- `cxml_documents`: OrderRequests built as a procurement platform sends them, in DTD order.
- `fake_platform`: `FakeProcurementPlatform`, an httpx client that plays Coupa, Ariba or
  JAGGAER against a running gateway (no pytest, no gateway imports).
- `fake_platform_server`: `FakePlatform`, the other direction: a stateful Coupa, Ariba or
  JAGGAER that *receives* our ConfirmationRequest, ShipNoticeRequest and InvoiceDetailRequest,
  checks envelope, DTD, credentials and business rules, answers in cXML, dedupes on
  `Idempotency-Key` and payloadID, and fails on request; in-process (`transport()`, an
  `httpx.MockTransport`) or on a real socket (`serve()`). Its parts: `fake_platform_flavours`
  (endpoints, `ExpectedCredentials`, `PlatformCredentials`), `fake_platform_rules`
  (`PlatformLedger`), `fake_platform_records` (`ReceivedDocument`, `PlatformExchange`),
  `fake_platform_faults` and `fake_platform_http` (`LiveServer`).

Nothing is imported here, so the fakes can be used without pytest.
"""
