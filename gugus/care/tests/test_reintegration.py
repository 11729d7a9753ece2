"""Reintegration plans and the follow-up visits due 1, 3, 6 and 12 months after return."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.care import services
from gugus.care.models import FollowUpVisit, ReintegrationPlan
from gugus.care.rules import add_months
from gugus.care.selectors import followups_for_org

from .conftest import days

pytestmark = pytest.mark.django_db


def test_plan_generates_followups(personas, make_case, orgs):
    case = make_case()
    ret = days(100)
    plan = services.reintegration_plan_create(
        actor=personas.cw_a,
        case=case,
        responsible_org=orgs["uptd-3212"],
        return_on=ret,
        destination_region="32.12",
        goals="sekolah kembali",
    )
    visits = list(plan.visits.order_by("month"))
    assert [v.month for v in visits] == [1, 3, 6, 12]
    assert [v.due_on for v in visits] == [add_months(ret, m) for m in (1, 3, 6, 12)]
    overdue = list(followups_for_org(personas.cw_a, overdue=True))
    assert [v.month for v in overdue] == [1, 3]
    assert list(followups_for_org(personas.cw_b, overdue=True)) == []
    assert case.rights.get(right_id="right.social_reintegration").status == "fulfilled"
    services.followup_record(
        actor=personas.cw_a, visit=visits[0], visited_on=days(60), outcome="stable", note="tinggal bersama orang tua"
    )
    assert [v.month for v in followups_for_org(personas.cw_a, overdue=True)] == [3]
    visits[0].refresh_from_db()
    assert visits[0].visited_by_org_id == orgs["uptd-3212"].pk
    # discontinued plans are not chased
    services.reintegration_plan_update(
        actor=personas.cw_a, plan=plan, expected_version=plan.version, status="discontinued"
    )
    assert list(followups_for_org(personas.cw_a, overdue=True)) == []


def test_plan_bad_input(personas, make_case, orgs):
    case = make_case()
    with pytest.raises(ValidationError) as exc:
        services.reintegration_plan_create(
            actor=personas.cw_a, case=case, responsible_org=orgs["pn-2171"], return_on=days(1)
        )
    assert "responsible_org" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.reintegration_plan_create(
            actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=None
        )
    assert not ReintegrationPlan.objects.exists() and not FollowUpVisit.objects.exists()
    plan = services.reintegration_plan_create(
        actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=days(-10)
    )  # planned return
    with pytest.raises(ValidationError):
        services.reintegration_plan_create(
            actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=days(1)
        )
    v = plan.visits.get(month=1)
    with pytest.raises(ValidationError) as exc:
        services.followup_record(actor=personas.cw_a, visit=v, visited_on=days(0), outcome="stable")
    assert "sebelum tanggal kembali" in exc.value.message_dict["visited_on"][0]
    with pytest.raises(ValidationError):
        services.followup_record(actor=personas.cw_a, visit=v, visited_on=days(0), outcome="happy")


def test_changing_return_date_moves_open_visits(personas, make_case, orgs):
    case = make_case()
    plan = services.reintegration_plan_create(
        actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=days(10)
    )
    new = days(5)
    services.reintegration_plan_update(actor=personas.cw_a, plan=plan, expected_version=1, return_on=new)
    assert plan.visits.get(month=6).due_on == add_months(new, 6)


def test_other_org_cannot_record_visits(personas, make_case, orgs):
    case = make_case()
    plan = services.reintegration_plan_create(
        actor=personas.cw_a, case=case, responsible_org=orgs["uptd-3212"], return_on=dt.date(2026, 1, 5)
    )
    with pytest.raises(Http404):
        services.followup_record(actor=personas.cw_b, visit=plan.visits.first(), visited_on=days(1), outcome="stable")
