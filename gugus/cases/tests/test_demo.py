"""The demo: realistic, valid, fast, deterministic."""

import datetime as dt

import pytest
from lokal import parse_nik

from gugus.cases.models import Case, Identity, RouteLeg, Victim
from gugus.cases.validation import validate_nik
from gugus.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_populates_realistic_valid_cases(demo_accounts):
    from gugus.cases import demo

    ctx = demo_accounts
    ctx.victims = 120
    demo.populate(ctx)
    assert len(ctx.case_ids) == 120
    cases = Case.objects.filter(pk__in=ctx.case_ids)
    assert cases.count() == 120 and all(c.is_demo for c in cases)
    children = cases.filter(is_child=True).count()
    assert 25 <= children <= 80  # ~45%
    assert len(set(cases.values_list("case_number", flat=True))) == 120
    origins = set(cases.values_list("origin_region_id", flat=True))
    assert {o[:2] for o in origins} >= {"32", "53", "52"}
    assert set(cases.values_list("registering_org__name", flat=True)) >= {
        "UPTD PPA Kabupaten Indramayu",
        "UPTD PPA Kota Kupang",
        "UPTD PPA Kota Batam",
    }
    dests = set(cases.values_list("destination_country_id", flat=True))
    assert "MY" in dests and None in dests
    assert RouteLeg.objects.filter(case__in=cases, stage="transit", region_id__in=["21.71", "65.03", "61.03"]).exists()
    for ident in Identity.objects.filter(victim__cases__in=cases).exclude(nik="")[:30]:
        sex = ident.victim.sex_id.split(".")[1]
        birth = dt.date.fromisoformat(ident.birth_date)
        assert validate_nik(ident.nik, sex=sex, birth_date=birth) == ident.nik
        assert parse_nik(ident.nik).valid
    for c in cases:
        assert c.status_history.exists() and c.events.exists()
        assert c.identification_date <= ctx.today


def test_demo_is_deterministic(demo_accounts):
    from gugus.cases import demo

    ctx1 = DemoContext(seed=7, victims=15)
    ctx1.orgs, ctx1.users = demo_accounts.orgs, demo_accounts.users
    demo.populate(ctx1)
    first = list(
        Case.objects.filter(pk__in=ctx1.case_ids)
        .order_by("case_number")
        .values_list("identification_date", "origin_region_id", "destination_country_id", "is_child")
    )
    Case.objects.all().delete()
    Victim.objects.all().delete()
    ctx2 = DemoContext(seed=7, victims=15)
    ctx2.orgs, ctx2.users = demo_accounts.orgs, demo_accounts.users
    demo.populate(ctx2)
    assert ctx1.case_ids == ctx2.case_ids
    second = list(
        Case.objects.filter(pk__in=ctx2.case_ids)
        .order_by("case_number")
        .values_list("identification_date", "origin_region_id", "destination_country_id", "is_child")
    )
    assert first == second
