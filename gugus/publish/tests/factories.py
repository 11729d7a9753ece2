"""Cases for open-data and report tests, registered through the cases service."""

from __future__ import annotations

import datetime as dt
import itertools

_counter = itertools.count(1)


def make_cases(
    user,
    n: int,
    year: int,
    *,
    origin: str = "32.12",
    sex: str = "female",
    age: int = 25,
    forms=("forced_labour_or_services",),
    citizenship_status: str = "wni",
    citizenship: str | None = "ID",
):
    from gugus.cases.services import VictimData, victim_register

    out = []
    for _ in range(n):
        i = next(_counter)
        data = VictimData(
            sex=sex,
            identification_date=dt.date(year, 1 + i % 12, 1 + i % 27),
            identification_channel="hotline",
            full_name=f"Uji Data Terbuka {i}",
            estimated_age=age,
            origin_region=origin,
            exploitation_forms=list(forms),
            citizenship_status=citizenship_status,
            citizenship=citizenship,
        )
        out.append(victim_register(actor=user, data=data))
    return out
