"""Units both ways: UN/ECE Rec 20 (the hub's) to LOGO's unit codes (`ADET`, `KG`) and back.

LOGO names units by the codes of the item's unit set (`LG_{firm}_UNITSETL.CODE`); the default
Turkish unit sets use `ADET` (piece), `KG`, `M`, `LT`... Which codes a site uses is data, so the
map lives in the config (`LogoConfig.unit_codes`). Read backwards, the first UN/ECE code listed
for a LOGO code wins (`ADET` reads as `C62` with the default map).
"""

from __future__ import annotations

from connectors.core.errors import PermanentError
from connectors.logo.config import LogoConfig


def logo_unit(config: LogoConfig, unit: str, *, where: str) -> str:
    """LOGO's code for the UN/ECE `unit`; a `PermanentError` naming `where` when unmapped."""
    code = config.unit_codes.get(unit) or config.unit_codes.get(unit.strip().upper())
    if code is None:
        msg = (
            f"{where}: unit {unit!r} has no LOGO unit code (add it to the connector's "
            f"unit_codes; known: {sorted(config.unit_codes)})"
        )
        raise PermanentError(msg)
    return code


def unece_unit(config: LogoConfig, code: object) -> str | None:
    """The UN/ECE unit for LOGO's unit `code`, or None when the map has none."""
    if not isinstance(code, str) or not code.strip():
        return None
    wanted = code.strip().casefold()
    for unit, logo in config.unit_codes.items():
        if logo.strip().casefold() == wanted:
            return unit
    return None
