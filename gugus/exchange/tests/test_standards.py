"""CTDC and HTCDS exports with k-anonymity (k = 11)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gugus.exchange import standards

QIS = ["a", "b", "c"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({q: st.sampled_from(["x", "y", "z", ""]) for q in QIS}), max_size=120),
    st.integers(2, 12),
)
def test_k_anonymise_always_yields_k_anonymous_rows(records, k):
    rows, report = standards.k_anonymise(records, QIS, k)
    assert standards.is_k_anonymous(rows, QIS, k)
    assert report["rows_out"] + report["rows_dropped"] == len(records)


def test_age_bands_and_flags():
    assert standards.age_broad(8) == "0--8" and standards.age_broad(9) == "9--17" and standards.age_broad(48) == "48+"
    rec = standards.ctdc_record(
        {
            "pk": "x",
            "identification_date": dt.date(2024, 5, 1),
            "identification_channel_id": "identification_channel.hotline",
            "status": "registered",
            "trafficking_status": "actual",
            "region_id": "32.12",
            "origin_region_id": "32.12",
            "age_at_identification": 16,
            "is_child": True,
            "exploitation_start": dt.date(2023, 1, 1),
            "victim__sex_id": "sex.female",
            "victim__citizenship_id": "ID",
            "victim__birth_year": 2008,
            "destination_country_id": "MY",
            "scope": "transnational",
            "sector_id": "labour_sector.domestic_work",
            "recruiter_relation_id": "recruiter_relation.family",
            "owner_org__org_type_id": "org_type.uptd_ppa_kabkota",
            "forms": ["forced_labour_or_services", "prostitution"],
            "means": ["debt_bondage"],
            "legs": [],
        }
    )
    assert rec["gender"] == "Female" and rec["majorityStatus"] == "Minor" and rec["Datasource"] == "Hotline"
    assert rec["isForcedLabour"] == "1" and rec["isSexualExploit"] == "1" and rec["isSexAndLabour"] == "1"
    assert rec["typeOfLabourDomesticWork"] == "1" and rec["typeOfSexProstitution"] == "1"
    assert rec["meansOfControlDebtBondage"] == "1" and rec["recruiterRelationFamily"] == "1"
    assert rec["CountryOfExploitation"] == "MY"


@pytest.mark.django_db
def test_ctdc_download_is_k_anonymous(personas, client_for):
    from gugus.cases.services import VictimData, victim_register

    for i in range(14):
        victim_register(
            actor=personas.cw_a,
            data=VictimData(
                sex="female",
                identification_date=dt.date(2025, 1, 1 + i),
                identification_channel="hotline",
                full_name=f"K {i}",
                estimated_age=20 + (i % 2),
                exploitation_forms=["forced_labour_or_services"],
            ),
        )
    victim_register(
        actor=personas.cw_a,
        data=VictimData(
            sex="male",
            identification_date=dt.date(2025, 2, 1),
            identification_channel="hotline",
            full_name="Sendiri",
            estimated_age=60,
            citizenship_status="wna",
            citizenship="TL",
        ),
    )
    r = client_for(personas.cw_a).get("/pertukaran/ekspor/standar/ctdc.csv")
    assert r.status_code == 200 and r["X-K-Anonymity"] == "11"
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode()), delimiter=";"))
    assert rows and standards.is_k_anonymous(rows, standards.CTDC_QUASI_IDENTIFIERS, 11)
    assert all(row["citizenship"] != "TL" for row in rows)
    h = client_for(personas.cw_a).get("/api/v1/exports/htcds", HTTP_AUTHORIZATION="")
    assert h.status_code == 200
