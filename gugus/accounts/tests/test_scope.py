"""Scope semantics for cases: own organisation, referred organisations, region subtrees;
identity visibility; out of scope answers 404 like a missing record, and the attempt is audited."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.http import Http404
from django.utils import timezone

from gugus.accounts import services
from gugus.accounts.scope import ANONYMOUS, scope_for
from gugus.audit.models import AuditEvent
from gugus.cases.models import Case, CaseAccess
from gugus.cases.selectors import (
    can_view_identity,
    case_get_for_user,
    case_ids_visible_to,
    cases_visible_to,
    identity_get_for_user,
)
from gugus.cases.services import VictimData, victim_register

pytestmark = pytest.mark.django_db


def register(user, name: str, origin: str | None = None) -> Case:
    return victim_register(
        actor=user,
        data=VictimData(
            sex="female",
            identification_date=dt.date.today() - dt.timedelta(days=30),
            identification_channel="hotline",
            estimated_age=25,
            full_name=name,
            origin_region=origin,
        ),
    )


@pytest.fixture
def cases(personas):
    """One case per kab/kota: Indramayu (two: one from Indramayu, one with origin in Kab. Bogor's
    province), Kab. Bogor, Kota Kupang, Kota Batam."""
    return {
        "a": register(personas.cw_a, "Sari Uji"),
        "b": register(personas.cw_b, "Dewi Uji"),
        "kupang": register(personas.cw_kupang, "Maria Uji"),
        "batam": register(personas.cw_batam, "Rina Uji"),
    }


def visible(user, cases) -> set[str]:
    ids = set(cases_visible_to(user).values_list("pk", flat=True))
    return {k for k, c in cases.items() if c.pk in ids}


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("cw_a", {"a"}),
        ("sv_a", {"a"}),
        ("cw_b", {"b"}),
        ("gt_kab", {"a"}),
        ("province", {"a", "b"}),
        ("steward", {"a", "b"}),
        ("national", {"a", "b", "kupang", "batam"}),
        ("police", {"batam"}),
        ("provider", set()),
        ("executive", set()),
        ("admin", set()),
        ("anonymous", set()),
    ],
)
def test_who_sees_which_cases(personas, cases, persona, expected):
    user = personas.all()[persona]
    assert visible(user, cases) == expected
    assert set(Case.objects.filter(pk__in=case_ids_visible_to(user)).values_list("pk", flat=True)) == {
        cases[k].pk for k in expected
    }


def test_province_ntt_sees_its_subtree_only(personas, cases):
    assert visible(personas.province_ntt, cases) == {"kupang"}


def test_case_whose_origin_lies_in_a_region_is_visible_to_that_region(personas, cases):
    moved = register(personas.cw_kupang, "Asal Indramayu", origin="32.12")
    assert moved.pk in set(cases_visible_to(personas.province).values_list("pk", flat=True))
    assert moved.pk in set(cases_visible_to(personas.gt_kab).values_list("pk", flat=True))
    assert moved.pk not in set(cases_visible_to(personas.cw_a).values_list("pk", flat=True))


def test_other_organisation_gets_404_and_the_attempt_is_audited(personas, cases):
    assert case_get_for_user(personas.cw_a, cases["a"].pk) == cases["a"]
    with pytest.raises(Http404):
        case_get_for_user(personas.cw_a, cases["b"].pk)
    ev = AuditEvent.objects.get(action="access_denied_or_missing", object_id=str(cases["b"].pk))
    assert ev.actor_id == personas.cw_a.pk and ev.object_type == "case"


def test_forged_and_deleted_ids_answer_like_out_of_scope(personas, cases):
    forged = uuid.uuid4()
    with pytest.raises(Http404):
        case_get_for_user(personas.national, forged)
    assert AuditEvent.objects.filter(action="access_denied_or_missing", object_id=str(forged)).exists()
    with pytest.raises(Http404):
        case_get_for_user(personas.national, "not-a-uuid")
    with pytest.raises(Http404):
        case_get_for_user(personas.national, "' OR 1=1 --")


def test_executive_and_admin_see_no_case_even_by_id(personas, cases):
    for user in (personas.executive, personas.admin):
        with pytest.raises(Http404):
            case_get_for_user(user, cases["a"].pk)


def test_service_provider_sees_only_cases_referred_to_it(personas, cases):
    provider_org = personas.orgs["rs-2171"]
    assert visible(personas.provider, cases) == set()
    grant = CaseAccess.objects.create(
        case=cases["batam"], organisation=provider_org, level="service", source_type="referral", source_id=uuid.uuid4()
    )
    assert visible(personas.provider, cases) == {"batam"}
    assert case_get_for_user(personas.provider, cases["batam"].pk) == cases["batam"]
    with pytest.raises(Http404):
        case_get_for_user(personas.provider, cases["kupang"].pk)
    # only what the service needs: no legal track
    assert not cases_visible_to(personas.provider, "legal.view").exists()
    grant.revoked_at = timezone.now()
    grant.save()
    assert visible(personas.provider, cases) == set()


def test_grant_to_another_org_does_not_leak(personas, cases):
    CaseAccess.objects.create(
        case=cases["batam"],
        organisation=personas.orgs["rumah-aman-2171"],
        level="service",
        source_type="referral",
        source_id=uuid.uuid4(),
    )
    assert visible(personas.provider, cases) == set()


def test_transfer_gives_the_new_owner_full_access(personas, cases):
    CaseAccess.objects.create(
        case=cases["kupang"],
        organisation=personas.orgs["uptd-3212"],
        level="full",
        source_type="transfer",
        source_id=uuid.uuid4(),
    )
    assert visible(personas.cw_a, cases) == {"a", "kupang"}
    assert can_view_identity(personas.cw_a, cases["kupang"])


def test_permission_scoped_queries(personas, cases):
    assert cases_visible_to(personas.police, "legal.view").filter(pk=cases["batam"].pk).exists()
    assert not cases_visible_to(personas.police, "service.view").exists()
    assert not cases_visible_to(personas.executive).exists()


# --- identities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, case, allowed",
    [
        ("cw_a", "a", True),
        ("sv_a", "a", True),
        ("gt_kab", "a", False),
        ("province", "a", False),
        ("national", "a", False),
        ("steward", "a", False),
        ("police", "batam", False),
    ],
)
def test_identity_visibility_by_role(personas, cases, persona, case, allowed):
    assert can_view_identity(personas.all()[persona], cases[case]) is allowed


def test_identity_view_is_audited_and_carries_no_identity(personas, cases):
    identity = identity_get_for_user(personas.cw_a, cases["a"], purpose="view")
    assert identity.full_name == "Sari Uji"
    ev = AuditEvent.objects.get(action="identity_view")
    assert ev.actor_id == personas.cw_a.pk and ev.object_id == str(cases["a"].victim_id)
    assert ev.region_code == "32.12" and ev.detail["case"] == str(cases["a"].pk)
    assert "Sari" not in str(ev.detail)


def test_identity_refused_writes_no_view_event(personas, cases):
    assert identity_get_for_user(personas.province, cases["a"]) is None
    assert not AuditEvent.objects.filter(action="identity_view").exists()


def test_identity_access_granted_on_a_membership(personas, cases):
    m = personas.province.memberships.get()
    services.membership_change(actor=personas.admin, membership=m, identity_access=True)
    assert can_view_identity(personas.province, cases["b"])
    assert not can_view_identity(personas.province, cases["kupang"])


def test_service_provider_sees_identity_only_of_referred_cases(personas, cases):
    assert not can_view_identity(personas.provider, cases["batam"])
    CaseAccess.objects.create(
        case=cases["batam"],
        organisation=personas.orgs["rs-2171"],
        level="service",
        source_type="referral",
        source_id=uuid.uuid4(),
    )
    assert can_view_identity(personas.provider, cases["batam"])
    assert identity_get_for_user(personas.provider, cases["batam"]).full_name == "Rina Uji"


# --- the scope object itself ----------------------------------------------------------------------


def test_scope_object(personas):
    assert scope_for(None) is ANONYMOUS and not ANONYMOUS.has("victim.view")
    s = scope_for(personas.province)
    assert s.has("victim.view") and not s.has("identity.view")
    assert s.covers_region("victim.view", "32.12.01") and not s.covers_region("victim.view", "33.01")
    assert s.regions_with("victim.view") == {"32"}
    assert s.widest_region == "32"
    assert scope_for(personas.national).covers_region("victim.view", "53.71")
    cw = scope_for(personas.cw_a)
    assert cw.orgs_with("victim.view") == {personas.orgs["uptd-3212"].pk}
    assert cw.regions_with("victim.view") == set()  # org reach: no region subtree
    personas.cw_a.is_active = False
    personas.cw_a.__dict__.pop("_gugus_scope", None)
    assert scope_for(personas.cw_a) is ANONYMOUS


def test_inactive_membership_or_organisation_gives_nothing(personas, cases):
    m = personas.cw_a.memberships.get()
    services.membership_revoke(actor=personas.admin, membership=m)
    assert visible(personas.cw_a, cases) == set()
    services.membership_change(actor=personas.admin, membership=m, active=True)
    assert visible(personas.cw_a, cases) == {"a"}
    services.organisation_deactivate(actor=personas.admin, organisation=personas.orgs["uptd-3212"])
    personas.cw_a.__dict__.pop("_gugus_scope", None)
    assert visible(personas.cw_a, cases) == set()


def test_a_user_with_two_memberships_gets_the_union(personas, cases):
    services.membership_grant(
        actor=personas.admin, user=personas.cw_a, organisation=personas.orgs["gt-53"], role="gt_province"
    )
    assert visible(personas.cw_a, cases) == {"a", "kupang"}
    # identity only through the membership that carries it
    assert can_view_identity(personas.cw_a, cases["a"]) and not can_view_identity(personas.cw_a, cases["kupang"])


def test_malformed_id_attempt_is_audited(personas):
    with pytest.raises(Http404):
        case_get_for_user(personas.cw_a, "bukan-uuid")
    assert AuditEvent.objects.filter(action="access_denied_or_missing", object_id="bukan-uuid").exists()


def test_case_page_of_another_organisation_is_404_and_audited(personas, cases, client_for):
    c = client_for(personas.cw_a)
    assert c.get(f"/kasus/{cases['a'].pk}/").status_code == 200
    r = c.get(f"/kasus/{cases['b'].pk}/")
    assert (
        r.status_code == 404 and "Dewi" not in r.content.decode() and cases["b"].case_number not in r.content.decode()
    )
    forged = uuid.uuid4()
    r2 = c.get(f"/kasus/{forged}/")
    import re

    def strip_csrf(body: bytes) -> str:
        return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", body.decode())

    same_r = strip_csrf(r.content).replace(str(cases["b"].pk), "ID")
    same_r2 = strip_csrf(r2.content).replace(str(forged), "ID")
    assert r2.status_code == 404 and same_r2 == same_r  # the same answer: existence never leaks
    assert AuditEvent.objects.filter(
        action="access_denied_or_missing", object_id=str(cases["b"].pk), actor=personas.cw_a
    ).exists()
    assert AuditEvent.objects.filter(action="access_denied_or_missing", object_id=str(forged)).exists()
