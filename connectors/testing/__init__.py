"""Test kit for connectors: the shared conformance suite, hard cases and a fake platform.

- `conformance`: `ConnectorConformance` and `CxmlPlatformConformance`, the pytest base classes
  every connector's test inherits (imports pytest).
- `hard_cases`: awkward but legitimate cXML inputs every cXML connector must survive.
- `cxml_documents`: OrderRequests built as a procurement platform sends them, in DTD order.
- `fake_platform`: `FakeProcurementPlatform`, an httpx client that plays Coupa, Ariba or
  JAGGAER against a running gateway (no pytest, no gateway imports).

Nothing is imported here, so `connectors.testing.fake_platform` can be used without pytest.
"""
