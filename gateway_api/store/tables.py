"""The relational schema (SQLAlchemy Core). Alembic migrations in `migrations/` create it.

Core tables rather than ORM classes: the ingest path writes a handful of rows per document and
runs at a thousand documents a second, and repositories map rows to domain objects explicitly.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from gateway_api.store.types import ExactDecimal, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Plain JSON, not JSONB: the hub reads documents whole and never queries inside them, and JSON
# is stored as sent, without the parse JSONB costs on every insert (measured in bench/).
JsonDocument = JSON()
DecimalAmount = ExactDecimal()
"""Holds every amount and quantity the canonical model accepts (18 + 18 digits), exactly."""

partners = Table(
    "partners",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("connector", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("demo", Boolean, nullable=False),
    Column("profile_sha256", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="Trading partners known to the hub, mirrored from the mapping profiles.",
)

documents = Table(
    "documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("partner_key", String(64), nullable=True, comment="As claimed for rejected input"),
    Column("direction", String(8), nullable=False),
    Column("protocol", String(16), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("payload_id", String(255), nullable=True),
    Column("correlation_id", String(255), nullable=True),
    Column("in_reply_to", Uuid, ForeignKey("documents.id"), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("detail", Text, nullable=True),
    # TEXT (a multipart Content-Type runs past 150 characters); SQLite keeps the VARCHAR(100)
    # it was created with, which it does not enforce (migration 0010).
    Column("content_type", Text().with_variant(String(100), "sqlite"), nullable=True),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("body_truncated", Boolean, nullable=False, default=False),
    Column("remote_addr", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column(
        "body_purged_at",
        UtcDateTime,
        nullable=True,
        comment="Set when the retention policy emptied the body; sha256 and size stay",
    ),
    Index("ix_documents_partner_created", "partner_key", "created_at"),
    Index("ix_documents_payload_id", "payload_id"),
    Index("ix_documents_correlation_id", "correlation_id"),
    Index("ix_documents_created_at", "created_at"),
    comment="Every document in and out, raw bytes (shared secrets masked), never updated.",
)

orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("partner_key", String(64), ForeignKey("partners.key"), nullable=False),
    Column("order_id", String(255), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("current_payload_id", String(255), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("total", DecimalAmount, nullable=True),
    Column("order_date", UtcDateTime, nullable=False),
    Column("document", JsonDocument, nullable=False, comment="Canonical PurchaseOrder JSON"),
    Column("mapping", JsonDocument, nullable=False, comment="Mapping files + hashes applied"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("partner_key", "order_id", name="uq_orders_partner_order"),
    Index("ix_orders_updated_at", "updated_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_uuid", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line_number", Integer, primary_key=True),
    Column("sku", String(100), nullable=True),
    Column("supplier_part_id", String(255), nullable=True),
    Column("buyer_part_id", String(255), nullable=True),
    Column("description", Text, nullable=True),
    Column("quantity", DecimalAmount, nullable=False),
    Column("unit_of_measure", String(35), nullable=False),
    Column("unit_price", DecimalAmount, nullable=True),
    Column("requested_delivery_date", UtcDateTime, nullable=True),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_uuid", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("document_id", Uuid, ForeignKey("documents.id"), nullable=True),
    Column("payload_id", String(255), nullable=True),
    Column("document", JsonDocument, nullable=False, comment="Canonical snapshot at this event"),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("order_uuid", "version", name="uq_order_events_order_version"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("document_id", Uuid, ForeignKey("documents.id"), nullable=False),
    Column("partner_key", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("error", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
    Column(
        "next_attempt_at",
        UtcDateTime,
        nullable=True,
        comment="When the scheduled replay tries an open dead letter next (null: at once)",
    ),
    Column(
        "scheduled_replays",
        Integer,
        nullable=False,
        server_default="0",
        comment="Replays the schedule made; it parks the dead letter after its limit",
    ),
    Column(
        "outbox_id",
        Uuid,
        ForeignKey("outbox.id"),
        nullable=True,
        comment="Set for outbound documents that could not be delivered",
    ),
    Column(
        "position",
        JsonDocument,
        nullable=True,
        comment="Where the held document sits in the stored body (the connector re-reads it)",
    ),
    Index("ix_dead_letters_status_created", "status", "created_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("partner_key", String(64), primary_key=True),
    Column("scope", String(32), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("document_id", Uuid, ForeignKey("documents.id"), nullable=False),
    Column("response_document_id", Uuid, ForeignKey("documents.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

fulfilment_documents = Table(
    "fulfilment_documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_uuid", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("partner_key", String(64), ForeignKey("partners.key"), nullable=False),
    Column("document_type", String(32), nullable=False),
    Column(
        "business_id", String(255), nullable=False, comment="Confirmation, shipment or invoice id"
    ),
    Column("operation", String(16), nullable=False),
    Column("status", String(16), nullable=False, comment="active, superseded or cancelled"),
    Column("payload_id", String(255), nullable=False, comment="Our document id as sent"),
    Column("document", JsonDocument, nullable=False, comment="Canonical document JSON"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_fulfilment_documents_order", "order_uuid", "created_at"),
    Index("ix_fulfilment_documents_business", "partner_key", "document_type", "business_id"),
    comment="What the supplier said about an order: confirmations, ship notices, invoices.",
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True, comment="Also the idempotency key sent to the partner"),
    Column("partner_key", String(64), ForeignKey("partners.key"), nullable=False),
    Column("kind", String(64), nullable=False, comment="Protocol document kind"),
    Column("document_type", String(32), nullable=False),
    Column("order_uuid", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=True),
    Column("source_id", Uuid, nullable=True, comment="The fulfilment document it delivers"),
    Column("correlation_id", String(255), nullable=True),
    Column("payload_id", String(255), nullable=False),
    Column("document", JsonDocument, nullable=False, comment="Canonical document JSON"),
    Column("status", String(16), nullable=False, comment="pending, delivered or dead"),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_document_id", Uuid, ForeignKey("documents.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column(
        "acknowledgment",
        String(32),
        nullable=True,
        comment="X12 997/999 result: accepted, accepted_with_errors or rejected",
    ),
    Column(
        "ack_key",
        String(255),
        nullable=True,
        comment="What the partner's acknowledgement names the document by (X12 GS06/ST02)",
    ),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_order", "order_uuid"),
    Index("ix_outbox_ack_key", "partner_key", "ack_key"),
    Index("ix_outbox_payload_id", "partner_key", "payload_id"),
    comment="Documents to deliver, committed with the state change that produced them.",
)

control_numbers = Table(
    "control_numbers",
    metadata,
    Column("partner_key", String(64), primary_key=True),
    Column("scope", String(32), primary_key=True, comment="interchange, group or set"),
    Column("last_value", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="Our X12 control numbers per partner: the last one issued, never reused.",
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("partner_key", String(64), primary_key=True),
    Column("stream", String(64), primary_key=True, comment="What is pulled (purchase_orders)"),
    Column("cursor", Text, nullable=True, comment="Opaque to the core; the connector reads it"),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="Where each pull of each partner stopped, saved after the page's documents.",
)

reconciliation_findings = Table(
    "reconciliation_findings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "rule", String(48), nullable=False, comment="What was checked (confirmation_overdue...)"
    ),
    Column("subject", String(255), nullable=False, comment="What it is about, stable per rule"),
    Column("partner_key", String(64), nullable=True),
    Column("order_uuid", Uuid, nullable=True),
    Column("outbox_id", Uuid, nullable=True),
    Column("detail", Text, nullable=False, comment="One sentence for people"),
    Column("facts", JsonDocument, nullable=False, comment="The figures the rule compared"),
    Column("status", String(16), nullable=False, comment="open or closed"),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    UniqueConstraint("rule", "subject", name="uq_reconciliation_findings_rule_subject"),
    Index("ix_reconciliation_findings_status_rule", "status", "rule"),
    comment="What reconciliation found fell through; a finding closes when the data is fixed.",
)

order_line_fulfilment = Table(
    "order_line_fulfilment",
    metadata,
    Column("order_uuid", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line_number", Integer, primary_key=True, comment="The order line the figures are for"),
    Column("rejected_quantity", DecimalAmount, nullable=False, comment="By the confirmation"),
    Column("shipped_quantity", DecimalAmount, nullable=False, comment="By ship notices in force"),
    Column("invoiced_quantity", DecimalAmount, nullable=False, comment="By invoices in force"),
    Column("invoiced_amount", DecimalAmount, nullable=False, comment="Sum of the line subtotals"),
    Column("invoice_lines", Integer, nullable=False, comment="Invoice lines summed (each rounded)"),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="Per order line, what the supplier's documents in force say; rewritten with each "
    "fulfilment document (a projection of fulfilment_documents), so reconciliation is set-based.",
)

job_run_documents = Table(
    "job_run_documents",
    metadata,
    Column("dag_id", String(250), primary_key=True),
    Column("run_id", String(250), primary_key=True),
    Column("task_id", String(250), primary_key=True),
    Column("map_index", Integer, primary_key=True, comment="-1 for a task that is not mapped"),
    Column("document_id", Uuid, ForeignKey("documents.id"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_job_run_documents_document", "document_id"),
    comment="Which scheduled run (Airflow DAG, run, task) read or sent which logged document.",
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_uuid", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("carrier_key", String(64), ForeignKey("partners.key"), nullable=False),
    Column("reference", String(20), nullable=False, comment="Our key at the carrier"),
    Column("state", String(16), nullable=False, comment="booking, booked or refused"),
    Column("tracking_status", String(20), nullable=False, comment="The hub's word for it"),
    Column("carrier_code", String(64), nullable=True, comment="The carrier's own status code"),
    Column("carrier_shipment_id", String(64), nullable=True),
    Column("tracking_number", String(64), nullable=True),
    Column("barcodes", JsonDocument, nullable=False),
    Column("label", Text, nullable=True, comment="Label data the carrier returned"),
    Column("request", JsonDocument, nullable=False, comment="Canonical BookingRequest JSON"),
    Column("lines", JsonDocument, nullable=False, comment="Order lines shipped ([] = all left)"),
    Column("error", Text, nullable=True),
    Column("ship_notice_id", String(255), nullable=True, comment="Ship notice sent at pickup"),
    Column("booked_at", UtcDateTime, nullable=True),
    Column("picked_up_at", UtcDateTime, nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("last_event_at", UtcDateTime, nullable=True),
    Column("polled_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("carrier_key", "reference", name="uq_shipments_carrier_reference"),
    Index("ix_shipments_order_uuid", "order_uuid"),
    Index("ix_shipments_carrier_open", "carrier_key", "tracking_status", "polled_at"),
    comment="Shipments booked with cargo carriers, followed until delivered.",
)

shipment_events = Table(
    "shipment_events",
    metadata,
    Column("shipment_id", Uuid, ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, comment="Order of arrival, from 1"),
    Column("status", String(20), nullable=False),
    Column("carrier_code", String(64), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=True),
    Column("description", Text, nullable=True),
    Column("location", String(255), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    comment="Tracking events carriers reported, each once.",
)


# --- The ERP's master data (integration API, ERP pulls) and the change log feeds read ---

CatalogSequence = BigInteger().with_variant(Integer(), "sqlite")
"""BIGINT on PostgreSQL (an identity that never wraps); on SQLite only `INTEGER PRIMARY KEY` is
the rowid alias that autoincrements, so the same column is INTEGER there (64-bit anyway)."""

products = Table(
    "products",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("unit_of_measure", String(35), nullable=False),
    Column("description", Text, nullable=True),
    Column("gtin", String(14), nullable=True),
    Column("vat_rate", DecimalAmount, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="The ERP's item master (canonical Product), as last pushed or pulled.",
)

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("location", String(80), primary_key=True),
    Column("quantity_on_hand", DecimalAmount, nullable=False),
    Column("quantity_available", DecimalAmount, nullable=True),
    Column("unit_of_measure", String(35), nullable=False),
    Column("as_of", UtcDateTime, nullable=False, comment="When the ERP said the figures held"),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="Stock per item and location, as last pushed or pulled from the ERP.",
)

prices = Table(
    "prices",
    metadata,
    Column("sku", String(255), primary_key=True),
    Column("price_list", String(64), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column(
        "min_quantity",
        DecimalAmount,
        primary_key=True,
        comment="Stored normalised (1, not 1.000), so that SQLite's text keys compare like numbers",
    ),
    Column(
        "valid_from",
        Date,
        primary_key=True,
        comment="0001-01-01 stands for an open start (canonical null): key columns cannot be null",
    ),
    Column("unit_price", DecimalAmount, nullable=False),
    Column("unit_of_measure", String(35), nullable=False),
    Column("valid_to", Date, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="Price tiers per item, price list, currency, quantity and start (canonical Price).",
)

customers = Table(
    "customers",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("tax_id", String(20), nullable=True),
    Column("tax_office", String(80), nullable=True),
    Column("address", JsonDocument, nullable=True, comment="Canonical PostalAddress JSON"),
    Column("email", String(254), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    comment="The ERP's customer cards (canonical Customer).",
)

catalog_changes = Table(
    "catalog_changes",
    metadata,
    Column("seq", CatalogSequence, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False, comment="product, stock or price"),
    Column("sku", String(255), nullable=False),
    Column("location", String(80), nullable=True, comment="Stock changes only"),
    Column("source", String(64), nullable=False, comment="Who applied it: api:<key name>, pull"),
    Column("changed_at", UtcDateTime, nullable=False),
    comment="One row per product, stock or price row that actually changed; feeds read the "
    "deltas after their cursor (sync_cursors, streams feed:*). Appended in seq order of commit.",
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(64), nullable=False, comment="The calling system (logo-prod)"),
    Column("prefix", String(16), nullable=False, comment="Public part of the key, for lookup"),
    Column("key_hash", String(64), nullable=False, comment="SHA-256 of the whole key, hex"),
    Column("scopes", JsonDocument, nullable=False, comment="stock:write, prices:write..."),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
    UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    comment="Keys of the systems that call the integration API; the key itself is never stored.",
)

integration_calls = Table(
    "integration_calls",
    metadata,
    Column("api_key_id", Uuid, ForeignKey("api_keys.id"), primary_key=True),
    Column("idempotency_key", String(255), primary_key=True),
    Column("endpoint", String(64), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JsonDocument, nullable=False, comment="The answer, repeated on a replay"),
    Column("created_at", UtcDateTime, nullable=False),
    comment="Integration API calls made with an Idempotency-Key and the answer they got.",
)
