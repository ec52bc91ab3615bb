"""Official municipality code lists: Finland's kuntanumero (3 digits) and Sweden's kommunkod (4 digits).

Sources and licences: ``data/SOURCES.md`` (Statistics Finland CC BY 4.0; SCB codes via CC0 data).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class OfficialMunicipality:
    code: str
    country: str
    name: str
    name_sv: str
    region: str
    name_en: str = ""


@lru_cache
def official_municipalities() -> dict[str, OfficialMunicipality]:
    result: dict[str, OfficialMunicipality] = {}
    with (DATA / "fi_kunnat_2026.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["kuntanumero"].zfill(3)
            result[code] = OfficialMunicipality(
                code, "FI", row["name_fi"], row["name_sv"], row["maakunta_name_fi"], row["name_en"]
            )
    with (DATA / "se_kommuner_lan.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["municipality_code"].zfill(4)
            name = row["municipality_name_short"]
            result[code] = OfficialMunicipality(code, "SE", name, name, row["county_name"])
    return result


def display_name(code: str, fallback: str, settings: dict[str, object] | None, lang: str) -> str:
    """The municipality's name in ``lang``: its own display name if set, else the official name in that
    language (Vaasa in Finnish, Vasa in Swedish), else ``fallback``."""
    own = (settings or {}).get("display_name")
    if isinstance(own, str) and own.strip():
        return own.strip()
    official = official_municipalities().get(code)
    if official is None:
        return fallback
    if lang == "sv":
        return official.name_sv or official.name
    if lang == "en":
        return official.name_en or official.name
    return official.name


def lookup(code: str, country: str | None = None) -> OfficialMunicipality | None:
    found = official_municipalities().get(code)
    if found is None or (country is not None and found.country != country):
        return None
    return found
