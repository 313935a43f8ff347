"""Optional DTD validation against the official cXML DTDs, chosen from the payload.

Each module DTD (Fulfill, InvoiceDetail...) is standalone and narrows the allowed requests, so
the DTD is picked from the payload's kind, never fixed: OrderRequest, PunchOut*, Profile,
StatusUpdate and Response documents use cXML.dtd; ConfirmationRequest, ShipNoticeRequest and the
other fulfilment requests use Fulfill.dtd; InvoiceDetailRequest uses InvoiceDetail.dtd.

The DTD files are configuration, never fetched: `<dtd_dir>/<version>/<Family>.dtd`. The document's
own version is used when that directory has the family, else the newest version that has it
(cXML 1.2.x is additive in practice). Validation ignores the document's DOCTYPE and works
whether or not it has one.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from connectors.core.errors import ConfigError, DocumentError
from connectors.formats.cxml._envelope import parse_cxml, payload_kind
from connectors.formats.cxml._outbound import built_tree

_FULFILL_KINDS = frozenset(
    {
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "ServiceEntryRequest",
        "SalesOrderRequest",
        "TimeCardInfoRequest",
        "ReceiptRequest",
        "OrderStatusRequest",
        "TimeCardRequest",
        "ComponentConsumptionRequest",
        "ProductReplenishmentMessage",
    }
)
_INVOICE_KINDS = frozenset({"InvoiceDetailRequest"})


def dtd_family(kind: str) -> str:
    """`"cXML"`, `"Fulfill"` or `"InvoiceDetail"`: the DTD that allows a payload of `kind`."""
    if kind in _FULFILL_KINDS:
        return "Fulfill"
    if kind in _INVOICE_KINDS:
        return "InvoiceDetail"
    return "cXML"


class DtdValidator:
    """Validates cXML documents against the DTDs under `dtd_dir`; DTDs load once, on first use.

    Thread-safe: a lock guards the DTD cache and each validation (lxml keeps the error log on the
    DTD object). Validation is a diagnostic, not the ingest path.
    """

    def __init__(self, dtd_dir: Path) -> None:
        self._dir = dtd_dir
        try:
            names = [path.name for path in dtd_dir.iterdir() if path.is_dir()]
        except OSError as error:
            msg = f"cannot read the cXML DTD directory {dtd_dir}: {error}"
            raise ConfigError(msg) from error
        self._versions = sorted((name for name in names if _version_key(name)), key=_version_key)
        self._dtds: dict[Path, etree.DTD] = {}
        self._paths: dict[tuple[str, str | None], Path] = {}
        self._lock = threading.Lock()

    def dtd_path(self, kind: str, version: str | None) -> Path:
        """The DTD file a document of `kind` and `version` is validated against.

        Remembered per (family, version): the answer depends only on the files under
        `dtd_dir`, which are configuration, and looking costs a `stat` or more per document.
        """
        key = (dtd_family(kind), version)
        path = self._paths.get(key)
        if path is None:
            path = self._find(*key)
            self._paths[key] = path
        return path

    def _find(self, family_name: str, version: str | None) -> Path:
        family = f"{family_name}.dtd"
        if version and version in self._versions and (self._dir / version / family).is_file():
            return self._dir / version / family
        for candidate in reversed(self._versions):
            if (self._dir / candidate / family).is_file():
                return self._dir / candidate / family
        msg = f"no {family} under {self._dir}"
        raise ConfigError(msg)

    def validate(
        self, body_or_root: bytes | etree._Element, *, version: str | None = None
    ) -> list[str]:
        """DTD errors of a document (`[]` when valid), each as "line N: message".

        Bytes go through `parse_cxml` first, so unsafe or malformed bytes raise its
        `DocumentError` instead of being validated. `version` overrides the root's own (an
        `Index` element, which has none, is checked against cXML.dtd of the version its upload
        was written in). Raises `ConfigError` when no DTD fits.

        Bytes this thread has just rendered (`serialize`, see `built_tree`) are checked on the
        tree they were written from, without parsing them back: the same verdict, since the
        bytes are that tree plus indentation whitespace, which DTD element content ignores.
        Should that tree fail, the bytes are parsed and checked as any others, so the errors
        (and their line numbers) are those of the bytes.
        """
        if isinstance(body_or_root, bytes):
            built = built_tree(body_or_root)
            if built is not None and not self._problems(built, version):
                return []
            return self._problems(parse_cxml(body_or_root).root, version)
        return self._problems(body_or_root, version)

    def _problems(self, root: etree._Element, version: str | None) -> list[str]:
        try:
            kind = payload_kind(root)[0]
        except DocumentError:
            kind = ""  # no payload: cXML.dtd will say what is missing
        path = self.dtd_path(kind, version or root.get("version"))
        with self._lock:
            dtd = self._load(path)
            if dtd.validate(root):
                return []
            return [_describe(entry) for entry in dtd.error_log]  # type: ignore[attr-defined]

    def _load(self, path: Path) -> etree.DTD:
        dtd = self._dtds.get(path)
        if dtd is None:
            try:
                dtd = etree.DTD(str(path))
            except (OSError, etree.DTDParseError) as error:
                msg = f"cannot load {path}: {error}"
                raise ConfigError(msg) from error
            self._dtds[path] = dtd
        return dtd


def _describe(entry: etree._LogEntry) -> str:
    return f"line {entry.line}: {entry.message}"


def _version_key(name: str) -> tuple[int, ...]:
    """`"1.2.069"` as `(1, 2, 69)`; `()` for names that are not versions."""
    parts = name.split(".")
    if len(parts) < 2 or not all(part.isascii() and part.isdigit() for part in parts):
        return ()
    return tuple(int(part) for part in parts)
