"""Fixtures of the registry tests."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def kab_tf(personas, today):
    """The task force of Kab. Indramayu (32.12), recorded by its secretariat."""
    from gugus.registry.services import taskforce_create

    return taskforce_create(
        actor=personas.gt_kab,
        region_code="32.12",
        decree_number="188/Kep.12-DP3A/2020",
        decree_date=dt.date(2020, 3, 2),
        signed_by="Bupati Indramayu",
        chair="Wakil Bupati Indramayu",
        secretariat_id=str(personas.orgs["gt-3212"].pk),
        members=[
            {
                "organisation_id": str(personas.orgs["uptd-3212"].pk),
                "sub_gt": "social_rehab_repatriation_reintegration",
                "is_lead": True,
            },
            {"organisation_id": str(personas.orgs["polres-3212"].pk), "sub_gt": "law_enforcement"},
        ],
    )


@pytest.fixture
def kab_budget(personas, today):
    from gugus.registry.services import budget_create

    return budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=today.year,
        source="apbd",
        programme="prevention",
        allocated="150000000",
        realised="90000000",
    )
