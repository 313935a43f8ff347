"""Stock and price feeds: what changed since each partner's last feed, in its own terms.

For every partner whose profile has `feeds.inventory` / `feeds.prices` and whose connector can
send the document (`b2connect jobs run sync-inventory|sync-prices`, the `sync_inventory` /
`sync_prices` DAGs), in ONE transaction:

    after  = the partner's cursor (`sync_cursors`, stream `feed:inventory|feed:prices`), 0 at first
    upto   = the change log's last sequence number now
    rows   = the current stock levels (prices) of what changed in (after, upto]  - one query
    items  = those the partner sees (its locations, price list, currency, the items in its
             cross-reference) named by its part numbers
    outbox += one InventorySnapshot (PriceCatalog) per `max_items_per_document` items, numbered
             by the connector now (payloadID, ISA/GS/ST, UNB/UNH) like every outbound document
    cursor = upto

The cursor's row is locked first (`cursors.claim`), so two runs for one partner (the DAG and a
`b2connect jobs run` at the same moment) take turns: the second reads the first one's cursor
and sends nothing twice. The documents and the cursor commit together: a crash before the
commit sends nothing and the next run takes the same range again; after it, the outbox delivers
each document exactly once. A partner that sees none of the changed items gets no document, and
its cursor still moves.
Unit codes are translated to the partner's codes by its connector, as for every document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypeVar

from connectors.core import Clock, ConfigError, UnsupportedDocumentError
from gateway_api.services.ingest import PartnerNumbers
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.catalog_records import ItemPrices, StockRecord
from gateway_api.store.ports import UnitOfWork, UnitOfWorkFactory
from gateway_api.store.records import OutboxRecord
from mappings.engine import MappingError, PartnerMapping
from mappings.engine.crossref import PartCrossReference
from mappings.engine.profile import Feeds
from schemas import (
    CatalogItem,
    CatalogPrice,
    InventorySnapshot,
    PriceCatalog,
    StockLevel,
)

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

Feed = Literal["inventory", "prices"]
"""The two feeds."""

STREAMS: dict[Feed, str] = {"inventory": "feed:inventory", "prices": "feed:prices"}
"""The `sync_cursors` stream of each feed."""
DOCUMENT_TYPES: dict[Feed, str] = {"inventory": "inventory_snapshot", "prices": "price_catalog"}
"""The canonical document each feed sends."""


@dataclass
class FeedReport:
    """What one feed run did for one partner (or none)."""

    feed: Feed
    partner: str | None = None
    documents: int = 0
    items: int = 0
    """Items sent (an item at two locations counts twice in the stock feed)."""
    not_seen: int = 0
    """Changed items the partner does not see (not its location, list or catalogue)."""
    problems: list[JobProblem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Partners whose feed could not be built (configuration): a person must look."""
        return len(self.problems)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (Airflow XCom, CLI `--json`)."""
        return {
            "feed": self.feed,
            "partners": [self.partner] if self.partner else [],
            "documents": self.documents,
            "items": self.items,
            "not_seen": self.not_seen,
        }


class FeedService:
    """Builds the stock and price feeds of partners from the catalogue's change log."""

    def __init__(self, uow: UnitOfWorkFactory, directory: PartnerDirectory, *, clock: Clock):
        self._uow = uow
        self._directory = directory
        self._clock = clock

    def run(self, feed: Feed, partner_key: str) -> FeedReport:
        """Queue `partner_key`'s `feed` documents for what changed since its last one."""
        report = FeedReport(feed, partner_key)
        partner = self._directory.get(partner_key)
        try:
            if partner is None:
                msg = f"partner {partner_key!r} is not configured or not enabled"
                raise ConfigError(msg)
            settings = takes_feed(partner, feed)
            if settings is None:
                msg = f"partner {partner_key!r} takes no {feed} feed (profile feeds.{feed})"
                raise ConfigError(msg)
            mapping = self._directory.mapping(partner_key)
            self._queue(partner, mapping, settings, feed, report)
        except (ConfigError, UnsupportedDocumentError, MappingError) as error:
            config_error = error if isinstance(error, ConfigError) else ConfigError(str(error))
            report.problems.append(JobProblem.of(partner_key, config_error))
        return report

    def _queue(
        self,
        partner: Partner,
        mapping: PartnerMapping,
        settings: Feeds,
        feed: Feed,
        report: FeedReport,
    ) -> None:
        assert partner.push is not None
        document_type = DOCUMENT_TYPES[feed]
        kind = partner.push.outbound_kind(document_type)
        if kind not in partner.profile.documents.outbound:
            msg = (
                f"partner {partner.key!r} does not have {kind} enabled (profile documents.outbound)"
            )
            raise ConfigError(msg)
        partner.push.destination(kind)
        crossref = mapping.parts
        if settings.items == "crossref" and crossref is None:
            msg = "feeds.items is 'crossref' but the profile names no parts.crossref"
            raise ConfigError(msg)
        now = self._clock()
        stream = STREAMS[feed]
        with self._uow() as uow:
            after = int(uow.cursors.claim(partner.key, stream, at=now) or 0)
            upto = uow.catalog.last_change_seq()
            if upto <= after:
                return
            namer = PartNamer(settings, crossref)
            if feed == "inventory":
                changed_stock = uow.catalog.changed_stock(after, upto)
                stock = stock_items(changed_stock, settings, namer)
                report.not_seen += len(changed_stock) - len(stock)
                documents: list[InventorySnapshot | PriceCatalog] = [
                    InventorySnapshot(
                        snapshot_id=f"INV-{upto}-{number}", as_of=now, items=tuple(chunk)
                    )
                    for number, chunk in enumerate(_chunks(stock, settings), start=1)
                ]
                report.items += len(stock)
            else:
                changed_prices = uow.catalog.changed_prices(after, upto)
                catalog = catalog_items(changed_prices, settings, namer)
                report.not_seen += len(changed_prices) - len(catalog)
                documents = [
                    PriceCatalog(catalog_id=f"PRC-{upto}-{number}", as_of=now, items=tuple(chunk))
                    for number, chunk in enumerate(_chunks(catalog, settings), start=1)
                ]
                report.items += len(catalog)
            for document in documents:
                uow.outbox.add(_outbox_row(uow, partner, kind, document, now))
            uow.cursors.save(partner.key, stream, str(upto), at=now)
            uow.commit()
        report.documents += len(documents)
        if documents:
            logger.info(
                "%s feed for %s: %d items in %d documents (changes %d..%d)",
                feed,
                partner.key,
                report.items,
                len(documents),
                after + 1,
                upto,
            )


def takes_feed(partner: Partner, feed: Feed) -> Feeds | None:
    """The partner's feed settings when it takes `feed` and can be sent documents."""
    settings = partner.profile.feeds
    if settings is None or partner.push is None:
        return None
    wanted = settings.inventory if feed == "inventory" else settings.prices
    return settings if wanted is not None else None


@dataclass(frozen=True)
class PartNamer:
    """How a partner names our items: its part number from the cross-reference."""

    settings: Feeds
    crossref: PartCrossReference | None

    def ids(self, sku: str) -> tuple[str | None, str | None] | None:
        """(supplier_part_id, buyer_part_id) for `sku`; None when the partner does not see
        the item (not in its cross-reference, `items: crossref`)."""
        part = self.crossref.part_for(sku) if self.crossref is not None else None
        if part is None:
            return None if self.settings.items == "crossref" else (None, None)
        return (None, part) if self.settings.part_number == "buyer" else (part, None)


def stock_items(rows: Iterable[StockRecord], settings: Feeds, namer: PartNamer) -> list[StockLevel]:
    """The changed stock levels the partner sees, named its way."""
    assert settings.inventory is not None
    locations = frozenset(settings.inventory.locations)
    items: list[StockLevel] = []
    for row in rows:
        if locations and row.location not in locations:
            continue
        ids = namer.ids(row.sku)
        if ids is None:
            continue
        supplier_part_id, buyer_part_id = ids
        # Built without validation: every value was validated when the ERP sent it.
        items.append(
            StockLevel.model_construct(
                sku=row.sku,
                supplier_part_id=supplier_part_id,
                buyer_part_id=buyer_part_id,
                quantity_on_hand=row.quantity_on_hand,
                quantity_available=row.quantity_available,
                unit_of_measure=row.unit_of_measure,
                location=row.location,
            )
        )
    return items


def catalog_items(
    rows: Iterable[ItemPrices], settings: Feeds, namer: PartNamer
) -> list[CatalogItem]:
    """The changed items on the partner's price list, with their whole tier lists; an item
    whose product was deactivated is a `delete`."""
    assert settings.prices is not None
    wanted = settings.prices
    items: list[CatalogItem] = []
    for row in rows:
        ids = namer.ids(row.sku)
        if ids is None:
            continue
        supplier_part_id, buyer_part_id = ids
        product = row.product
        unit = product.unit_of_measure if product is not None else None
        prices = sorted(
            (
                price
                for price in row.prices
                if price.price_list == wanted.price_list
                and (wanted.currency is None or price.currency == wanted.currency)
            ),
            key=lambda p: (p.currency, p.min_quantity, p.valid_from or date.min),
        )
        unit = unit or (prices[0].unit_of_measure if prices else None)
        tiers = tuple(
            CatalogPrice(
                unit_price=p.unit_price,
                currency=p.currency,
                min_quantity=p.min_quantity,
                valid_from=p.valid_from,
                valid_to=p.valid_to,
            )
            for p in prices
            if p.unit_of_measure == unit
        )
        if unit is None or not tiers:
            # No price on the partner's list (in its currency): the item is not in its
            # catalogue, so there is nothing to upsert, and a delete would be noise about an
            # item it never had (the ERP's API cannot remove prices, so an item does not leave
            # a list that way; it is withdrawn by deactivating its product).
            continue
        withdrawn = product is not None and not product.active
        items.append(
            CatalogItem(
                sku=row.sku,
                supplier_part_id=supplier_part_id,
                buyer_part_id=buyer_part_id,
                description=product.name if product is not None else row.sku,
                unit_of_measure=unit,
                gtin=product.gtin if product is not None else None,
                change="delete" if withdrawn else "upsert",
                prices=() if withdrawn else tiers,
            )
        )
    return items


def _chunks(items: Sequence[_T], settings: Feeds) -> Iterable[Sequence[_T]]:
    size = settings.max_items_per_document
    return (items[start : start + size] for start in range(0, len(items), size))


def _outbox_row(
    uow: UnitOfWork,
    partner: Partner,
    kind: str,
    document: InventorySnapshot | PriceCatalog,
    now: datetime,
) -> OutboxRecord:
    assert partner.push is not None
    identity = partner.push.identify(kind, numbers=PartnerNumbers(uow, partner.key, now), now=now)
    return OutboxRecord.queued(
        partner_key=partner.key,
        kind=kind,
        document_type=document.document_type,
        payload_id=identity.payload_id,
        document=document.model_dump(mode="json"),
        now=now,
        correlation_id=document_id(document),
        ack_key=identity.ack_key,
    )


def document_id(document: InventorySnapshot | PriceCatalog) -> str:
    """Our id of a feed document."""
    return document.snapshot_id if isinstance(document, InventorySnapshot) else document.catalog_id


FeedJob = Callable[[str], FeedReport]
"""A feed run for one partner."""
