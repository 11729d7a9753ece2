"""Builders for case tests: valid synthetic NIKs and victim data."""

from __future__ import annotations

import datetime as dt

from gugus.cases.services import RouteLegData, VictimData, victim_register


def make_nik(birth: dt.date, sex: str, *, kec: str = "32.12.01", serial: int = 1) -> str:
    """A structurally valid NIK: kecamatan code, DDMMYY (+40 on the day for women), serial."""
    day = birth.day + (40 if sex == "female" else 0)
    return kec.replace(".", "") + f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def victim_data(**kw) -> VictimData:
    base = {
        "sex": "female",
        "identification_date": dt.date(2026, 3, 2),
        "identification_channel": "hotline",
        "full_name": "Siti Aminah",
        "birth_date": dt.date(2000, 5, 17),
        "domicile_region": "32.12",
        "origin_region": "32.12",
        "exploitation_forms": ["forced_labour_or_services"],
        "sector": "domestic_work",
        "destination_country": "MY",
        "scope": "transnational",
        "route": [
            RouteLegData(stage="recruitment", region_code="32.12"),
            RouteLegData(stage="transit", region_code="21.71"),
            RouteLegData(stage="exploitation", country_code="MY"),
        ],
    }
    base.update(kw)
    return VictimData(**base)


def register(user, *, complete: bool = True, **kw):
    return victim_register(actor=user, data=victim_data(**kw), complete=complete)
