"""The demo fills care realistically and fast, deterministically for a seed."""

import datetime as dt

import pytest
from django.utils import timezone

from gugus.care import demo
from gugus.care.models import (
    FollowUpVisit,
    LegalCase,
    RepatriationLeg,
    Restitution,
    RightEntry,
    ServiceRecord,
    ShelterStay,
)
from gugus.core.demo import DemoContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_cases(personas):
    from gugus.cases.services import VictimData, victim_register

    today = timezone.localdate()
    ids = []
    users = [personas.cw_a, personas.cw_b, personas.cw_batam, personas.cw_kupang]
    for i in range(28):
        data = VictimData(
            sex="female" if i % 3 else "male",
            identification_date=today - dt.timedelta(days=20 + 15 * i),
            identification_channel="hotline",
            estimated_age=15 if i % 4 == 0 else 24,
            citizenship_status="wna" if i % 11 == 0 else "wni",
            citizenship="MY" if i % 11 == 0 else "ID",
            scope="transnational" if i % 2 else "domestic",
            destination_country="MY" if i % 2 else None,
            origin_region="53.71" if i % 2 else None,
            full_name=f"Korban Demo {i}",
        )
        ids.append(victim_register(actor=users[i % 4], data=data).pk)
    return ids


def run(personas, ids, seed=7):
    ctx = DemoContext(seed=seed, victims=len(ids))
    ctx.orgs.update(personas.ctx.orgs)
    ctx.users.update(personas.ctx.users)
    ctx.case_ids = list(ids)
    ctx.today = timezone.localdate()
    demo.populate(ctx)
    return ctx


def test_demo_is_realistic(personas, demo_cases):
    ctx = run(personas, demo_cases)
    assert "layanan" in ctx.log[-1]
    today = timezone.localdate()
    assert ServiceRecord.objects.filter(unfunded=True).exists()
    assert ServiceRecord.objects.filter(bpjs_claim_refused=True).exists()
    assert ServiceRecord.objects.filter(is_demo=True).count() == ServiceRecord.objects.count() > 48
    assert RepatriationLeg.objects.exists() and LegalCase.objects.exists()
    assert FollowUpVisit.objects.filter(visited_on__isnull=True, due_on__lt=today).exists()
    unpaid = [r for r in Restitution.objects.all() if r.is_overdue(today)]
    assert Restitution.objects.exists() and (unpaid or Restitution.objects.filter(paid_amount=0).exists())
    # shelters at or near capacity
    full = 0
    for org in {s.shelter for s in ShelterStay.objects.select_related("shelter")}:
        occupied = ShelterStay.objects.filter(shelter=org, discharged_on__isnull=True).count()
        if org.capacity and occupied >= org.capacity - 1:
            full += 1
    assert full >= 1
    assert RightEntry.objects.values("case_id").distinct().count() == len(demo_cases)
    # every generated record respects the services' own rules
    for s in ServiceRecord.objects.all():
        assert s.requested_on <= today and (s.started_on is None or s.started_on >= s.requested_on)
        assert s.completed_on is None or s.completed_on >= s.started_on
    # idempotent: a second run adds nothing
    n = ServiceRecord.objects.count()
    run(personas, demo_cases)
    assert ServiceRecord.objects.count() == n


def test_demo_without_cases_is_a_no_op(personas):
    ctx = run(personas, [])
    assert "dilewati" in ctx.log[-1]
