"""Fixtures of the care tests: cases registered through the cases contract, referrals, helpers."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_case(personas):
    """make_case(user=cw_a, child=False, foreign=False, scope="domestic", days_ago=60, disability=None)."""
    from gugus.cases.services import VictimData, victim_register

    def make(user=None, *, child=False, foreign=False, scope="domestic", days_ago=60, disability=None):
        user = user or personas.cw_a
        data = VictimData(
            sex="female",
            identification_date=timezone.localdate() - dt.timedelta(days=days_ago),
            identification_channel="hotline",
            estimated_age=15 if child else 25,
            citizenship_status="wna" if foreign else "wni",
            citizenship="MY" if foreign else "ID",
            scope="transnational" if foreign else scope,
            disability=disability,
            full_name="Korban Uji",
        )
        return victim_register(actor=user, data=data)

    return make


@pytest.fixture
def refer():
    """refer(case, org, level="service"): the CaseAccess a referral would create."""
    from gugus.cases.models import CaseAccess

    def make(case, org, level="service"):
        return CaseAccess.objects.create(
            case=case, organisation=org, level=level, source_type="referral", source_id=uuid.uuid4()
        )

    return make


@pytest.fixture
def orgs(personas):
    return personas.orgs


def days(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
