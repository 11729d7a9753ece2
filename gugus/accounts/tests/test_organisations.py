"""Organisations (type, region, capacity, country), memberships, and the audit of every
permission change, including those made in the Django admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gugus.accounts import services
from gugus.accounts.models import Membership, Organisation, User
from gugus.accounts.scope import scope_for
from gugus.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def org(**kw) -> Organisation:
    base = {"name": "Uji", "org_type_id": "org_type.ngo", "region_id": "32.12"}
    base.update(kw)
    return Organisation(**base)


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"org_type_id": "org_type.safe_house", "capacity": None}, "capacity"),
        ({"org_type_id": "org_type.rptc", "capacity": 0}, "capacity"),
        ({"org_type_id": "org_type.uptd_ppa_kabkota", "capacity": 100_000}, "capacity"),
        ({"org_type_id": "org_type.ppt_hospital", "capacity": 10}, "capacity"),
        ({"org_type_id": "org_type.mofa_mission", "region_id": "ID"}, "country"),
        ({"org_type_id": "org_type.mofa_mission", "region_id": "ID", "country_id": "ID"}, "country"),
        ({"org_type_id": "org_type.ngo", "country_id": "MY"}, "country"),
        ({"org_type_id": "org_type.safe_house", "capacity": 5, "listed_publicly": True}, "listed_publicly"),
        ({"org_type_id": "org_type.safe_house", "capacity": 5, "public_address": "Jl. X"}, "public_address"),
        ({"org_type_id": "sex.female"}, "org_type"),
    ],
)
def test_organisation_rules(personas, kw, field):
    with pytest.raises(ValidationError) as exc:
        services.organisation_save(actor=personas.admin, organisation=org(**kw))
    assert field in exc.value.message_dict
    assert not Organisation.objects.filter(name="Uji").exists()
    assert not AuditEvent.objects.filter(action="organisation_create").exists()


def test_valid_organisations_are_saved_and_audited_without_secret_location(personas):
    shelter = services.organisation_save(
        actor=personas.admin,
        organisation=org(
            name="Rumah Aman Uji", org_type_id="org_type.safe_house", capacity=8, secret_location="Jl. Sangat Rahasia 9"
        ),
    )
    assert shelter.is_shelter and shelter.capacity == 8 and not shelter.listed_publicly
    embassy = services.organisation_save(
        actor=personas.admin,
        organisation=org(name="KBRI Riyadh", org_type_id="org_type.mofa_mission", region_id="ID", country_id="SA"),
    )
    assert embassy.is_abroad
    ev = AuditEvent.objects.get(action="organisation_create", object_id=str(shelter.pk))
    assert "Sangat Rahasia" not in str(ev.detail) and ev.region_code == "32.12"
    shelter.capacity = 9
    shelter.secret_location = "Jl. Pindah 1"
    services.organisation_save(actor=personas.admin, organisation=shelter)
    ev = AuditEvent.objects.get(action="organisation_change", object_id=str(shelter.pk))
    assert ev.detail["fields"] == ["capacity", "secret_location"] and "Pindah" not in str(ev.detail)
    with pytest.raises(ValidationError):
        services.organisation_save(actor=personas.cw_a, organisation=org(name="Oleh petugas"))


def test_safe_house_can_never_be_listed_even_bypassing_the_service(personas):
    house = personas.orgs["rumah-aman-2171"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=house.pk).update(listed_publicly=True)


def test_demo_organisations_are_valid(personas):
    for o in personas.orgs.values():
        o.full_clean()


def test_membership_grant_change_revoke_are_audited_and_change_scope(personas):
    user = User.objects.create_user("baru", password="x" * 12)
    org_ = personas.orgs["gt-53"]
    m = services.membership_grant(actor=personas.admin, user=user, organisation=org_, role="gt_province")
    assert scope_for(user).covers_region("victim.view", "53.71")
    ev = AuditEvent.objects.get(action="permission_grant", object_id=str(m.pk))
    assert ev.actor_id == personas.admin.pk and ev.detail["role"] == "gt_province" and ev.region_code == "53"
    services.membership_change(actor=personas.admin, membership=m, identity_access=True)
    ev = AuditEvent.objects.get(action="permission_change", object_id=str(m.pk))
    assert ev.detail["changes"] == {"identity_access": ["False", "True"]}
    assert scope_for(user).identity_region_codes() == {"53"}
    services.membership_revoke(actor=personas.admin, membership=m)
    assert AuditEvent.objects.filter(action="permission_revoke", object_id=str(m.pk)).exists()
    assert not scope_for(user).has("victim.view")


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"role": "overlord"}, "role"),
        ({"role": "case_worker", "identity_access": True}, "identity_access"),
        ({"role": "executive", "identity_access": True}, "identity_access"),
        ({"role": "gt_province", "region_code": "99.99"}, "region"),
    ],
)
def test_bad_memberships_are_refused(personas, kw, field):
    user = personas.executive
    with pytest.raises(ValidationError) as exc:
        services.membership_grant(actor=personas.admin, user=user, organisation=personas.orgs["gt-32"], **kw)
    assert field in exc.value.message_dict
    assert not AuditEvent.objects.filter(action="permission_grant").exists()


def test_only_administrators_change_permissions(personas):
    for actor in [personas.sv_a, personas.national, personas.cw_a, None]:
        with pytest.raises(ValidationError):
            services.membership_grant(
                actor=actor, user=personas.cw_b, organisation=personas.orgs["uptd-3212"], role="case_worker"
            )
    assert not Membership.objects.filter(user=personas.cw_b, organisation=personas.orgs["uptd-3212"]).exists()


def test_permission_change_rolls_back_with_its_event(personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.membership_grant(
            actor=personas.admin, user=personas.cw_b, organisation=personas.orgs["uptd-3212"], role="case_worker"
        )
        assert AuditEvent.objects.filter(action="permission_grant").exists()
        raise RuntimeError("later step failed")
    assert not AuditEvent.objects.filter(action="permission_grant").exists()
    assert not Membership.objects.filter(user=personas.cw_b, organisation=personas.orgs["uptd-3212"]).exists()


def test_users_who_acted_cannot_be_deleted_only_deactivated(personas):
    from django.db.models import PROTECT

    # Deleting would rewrite audited rows (and break the hash chain): the trail protects its actors.
    assert AuditEvent._meta.get_field("actor").remote_field.on_delete is PROTECT
    services.user_deactivate(actor=personas.admin, user=personas.cw_a)
    personas.cw_a.refresh_from_db()
    assert not personas.cw_a.is_active
    assert AuditEvent.objects.filter(
        action="permission_change", object_id=str(personas.cw_a.pk), detail__is_active=False
    ).exists()


# --- the Django admin calls the services -------------------------------------------------------


@pytest.fixture
def admin_client(personas, client_for):
    return client_for(personas.admin)


def test_admin_pages_are_for_administrators_only(personas, client_for, admin_client):
    assert admin_client.get("/admin/accounts/organisation/").status_code == 200
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    assert admin_client.get("/admin/accounts/membership/").status_code == 200
    # staff without the admin role sees nothing of accounts
    personas.sv_a.is_staff = True
    personas.sv_a.save()
    c = client_for(personas.sv_a)
    assert c.get("/admin/accounts/membership/").status_code == 403
    assert c.get("/admin/accounts/user/").status_code == 403


def test_admin_organisation_form_validates_in_indonesian(personas, admin_client):
    data = {
        "name": "Rumah Aman Admin",
        "org_type": "org_type.safe_house",
        "region": "32.12",
        "country": "",
        "capacity": "",
        "facilities": "",
        "public_address": "",
        "public_phone": "",
        "public_hours": "",
        "public_services": "",
        "email": "",
        "active": "on",
        "new_secret_location": "Jl. Tersembunyi 3",
    }
    r = admin_client.post("/admin/accounts/organisation/add/", data)
    assert r.status_code == 200 and "Kapasitas wajib diisi" in r.content.decode()
    data["capacity"] = "6"
    r = admin_client.post("/admin/accounts/organisation/add/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    o = Organisation.objects.get(name="Rumah Aman Admin")
    assert o.secret_location == "Jl. Tersembunyi 3"
    ev = AuditEvent.objects.get(action="organisation_create", object_id=str(o.pk))
    assert "Tersembunyi" not in str(ev.detail)
    body = admin_client.get(f"/admin/accounts/organisation/{o.pk}/change/").content.decode()
    assert "Tersembunyi" not in body  # write-only in the admin


def test_admin_membership_add_change_delete_are_audited(personas, admin_client):
    user = personas.executive
    target = personas.orgs["gt-53"]
    r = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": user.pk, "organisation": target.pk, "role": "gt_province", "region": "", "active": "on"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    m = Membership.objects.get(user=user, organisation=target)
    assert m.region_id == "53"
    assert AuditEvent.objects.filter(action="permission_grant", object_id=str(m.pk), actor=personas.admin).exists()
    r = admin_client.post(
        f"/admin/accounts/membership/{m.pk}/change/",
        {
            "user": user.pk,
            "organisation": target.pk,
            "role": "gt_province",
            "region": "53.71",
            "identity_access": "on",
            "active": "on",
        },
    )
    assert r.status_code == 302
    ev = AuditEvent.objects.get(action="permission_change", object_type="membership", object_id=str(m.pk))
    assert ev.detail["changes"]["region_id"] == ["53", "53.71"]
    assert ev.detail["changes"]["identity_access"] == ["False", "True"]
    # identity access for a role that cannot hold it: refused in the form, nothing audited
    r = admin_client.post(
        f"/admin/accounts/membership/{m.pk}/change/",
        {
            "user": user.pk,
            "organisation": target.pk,
            "role": "executive",
            "region": "53",
            "identity_access": "on",
            "active": "on",
        },
    )
    assert r.status_code == 200 and "tidak dapat diberi akses identitas" in r.content.decode()
    r = admin_client.post(f"/admin/accounts/membership/{m.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    ev = AuditEvent.objects.get(action="permission_revoke", object_id=str(m.pk))
    assert ev.detail["deleted"] is True


def test_admin_user_privileges_and_inline_memberships_are_audited(personas, admin_client):
    u = personas.cw_b
    m = u.memberships.get()
    url = f"/admin/accounts/user/{u.pk}/change/"
    data = {
        "username": u.username,
        "first_name": "",
        "last_name": "",
        "email": u.email,
        "preferred_language": "id",
        "is_active": "on",
        "is_staff": "on",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": m.pk,
        "memberships-0-user": u.pk,
        "memberships-0-organisation": m.organisation_id,
        "memberships-0-role": "supervisor",
        "memberships-0-region": m.region_id,
        "memberships-0-active": "on",
        "memberships-1-user": u.pk,
        "memberships-1-organisation": personas.orgs["gt-32"].pk,
        "memberships-1-role": "data_steward",
        "memberships-1-region": "",
        "memberships-1-active": "on",
    }
    r = admin_client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:4000]
    assert AuditEvent.objects.filter(
        action="permission_change", object_type="user", object_id=str(u.pk), detail__is_staff=True
    ).exists()
    assert AuditEvent.objects.get(action="permission_change", object_type="membership", object_id=str(m.pk)).detail[
        "changes"
    ]["role"] == ["case_worker", "supervisor"]
    new = Membership.objects.get(user=u, role="data_steward")
    assert new.region_id == "32"
    assert AuditEvent.objects.filter(action="permission_grant", object_id=str(new.pk)).exists()
    # the delete box on the inline
    data.update(
        {
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "2",
            "memberships-1-id": new.pk,
            "memberships-1-DELETE": "on",
        }
    )
    r = admin_client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:4000]
    assert not Membership.objects.filter(pk=new.pk).exists()
    assert AuditEvent.objects.filter(action="permission_revoke", object_id=str(new.pk)).exists()


def test_admin_deactivate_user_action(personas, admin_client):
    r = admin_client.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [personas.cw_b.pk]})
    assert r.status_code == 302
    personas.cw_b.refresh_from_db()
    assert not personas.cw_b.is_active
