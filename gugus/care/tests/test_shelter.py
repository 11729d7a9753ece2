"""Shelter stays: beds, occupancy against capacity, over-capacity reason, discharge, location."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.audit.models import AuditEvent
from gugus.care import services
from gugus.care.models import ServiceRecord, ShelterStay
from gugus.care.selectors import shelter_location_for_user, shelters_visible_to, stays_for_case

from .conftest import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_shelter(orgs):
    org = orgs["rumah-aman-2171"]
    org.capacity = 2
    org.save(update_fields=["capacity"])
    return org


def test_admit_occupies_a_bed_and_discharge_frees_it(personas, make_case, small_shelter):
    case = make_case(personas.cw_batam)
    stay = services.shelter_admit(
        actor=personas.cw_batam,
        case=case,
        shelter=small_shelter,
        admitted_on=days(5),
        funding_source="apbd_kabkota",
        cost="750000",
    )
    row = shelters_visible_to(personas.cw_batam).get(pk=small_shelter.pk)
    assert (row.occupied, row.capacity) == (1, 2)
    assert stay.service.type_code == "shelter" and stay.service.status == "in_progress"
    services.shelter_discharge(actor=personas.cw_batam, stay=stay, discharged_on=days(1), reason="kembali ke keluarga")
    assert shelters_visible_to(personas.cw_batam).get(pk=small_shelter.pk).occupied == 0
    svc = ServiceRecord.objects.get(pk=stay.service_id)
    assert (svc.status, svc.completed_on) == ("completed", days(1))
    assert AuditEvent.objects.filter(action__in=["shelter_admit", "shelter_discharge"]).count() == 2
    assert case.events.filter(kind__in=["shelter_admit", "shelter_discharge"]).count() == 2


def test_full_shelter_needs_a_reason(personas, make_case, small_shelter):
    cases = [make_case(personas.cw_batam) for _ in range(3)]
    for c in cases[:2]:
        services.shelter_admit(actor=personas.cw_batam, case=c, shelter=small_shelter, admitted_on=days(3))
    with pytest.raises(ValidationError) as exc:
        services.shelter_admit(actor=personas.cw_batam, case=cases[2], shelter=small_shelter, admitted_on=days(2))
    assert "penuh (2/2" in exc.value.message_dict["over_capacity_reason"][0]
    assert ShelterStay.objects.filter(case=cases[2]).count() == 0
    assert not ServiceRecord.objects.filter(case=cases[2]).exists()
    stay = services.shelter_admit(
        actor=personas.cw_batam,
        case=cases[2],
        shelter=small_shelter,
        admitted_on=days(2),
        over_capacity_reason="korban anak, tidak ada rumah aman lain di Batam",
    )
    assert stay.over_capacity
    row = shelters_visible_to(personas.national).get(pk=small_shelter.pk)
    assert row.occupied == 3


def test_bad_input(personas, make_case, small_shelter, orgs):
    case = make_case(personas.cw_batam)
    with pytest.raises(ValidationError) as exc:
        services.shelter_admit(actor=personas.cw_batam, case=case, shelter=orgs["rs-2171"], admitted_on=days(2))
    assert "bukan rumah aman" in exc.value.message_dict["shelter"][0]
    with pytest.raises(ValidationError) as exc:
        services.shelter_admit(actor=personas.cw_batam, case=case, shelter=small_shelter, admitted_on=days(-2))
    assert "admitted_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.shelter_admit(
            actor=personas.cw_batam, case=case, shelter=small_shelter, admitted_on=days(2), cost="-1"
        )
    stay = services.shelter_admit(actor=personas.cw_batam, case=case, shelter=small_shelter, admitted_on=days(5))
    with pytest.raises(ValidationError) as exc:
        services.shelter_admit(actor=personas.cw_batam, case=case, shelter=orgs["uptd-2171"], admitted_on=days(1))
    assert "catat keluar dulu" in exc.value.message_dict["shelter"][0]
    with pytest.raises(ValidationError) as exc:
        services.shelter_discharge(actor=personas.cw_batam, stay=stay, discharged_on=days(6))
    assert exc.value.message_dict["discharged_on"] == ["Tanggal keluar tidak boleh sebelum tanggal masuk."]
    stay.refresh_from_db()
    assert stay.discharged_on is None and stay.version == 1
    with pytest.raises(ValidationError):
        services.shelter_discharge(actor=personas.cw_batam, stay=stay, discharged_on=days(-1))
    services.shelter_discharge(actor=personas.cw_batam, stay=stay, discharged_on=days(0))
    with pytest.raises(ValidationError):
        services.shelter_discharge(actor=personas.cw_batam, stay=stay, discharged_on=days(0))


def test_shelter_service_dates_follow_the_stay(personas, make_case, small_shelter):
    case = make_case(personas.cw_batam)
    stay = services.shelter_admit(actor=personas.cw_batam, case=case, shelter=small_shelter, admitted_on=days(5))
    svc = stay.service
    with pytest.raises(ValidationError):
        services.service_update(
            actor=personas.cw_batam, service=svc, expected_version=svc.version, status="completed", completed_on=days(1)
        )
    services.service_update(
        actor=personas.cw_batam,
        service=svc,
        expected_version=svc.version,
        funding_source="apbd_prov",
        cost="1000000",
        status="in_progress",
    )


def test_location_is_identity_grade(personas, make_case, small_shelter, refer, orgs):
    ra_staff = personas.ctx.users["ra-2171"]
    case = make_case(personas.cw_batam)
    # nobody stays there yet: only the shelter's own staff
    assert "Rahasia" in shelter_location_for_user(ra_staff, small_shelter.pk)
    with pytest.raises(Http404):
        shelter_location_for_user(personas.cw_batam, small_shelter.pk)
    services.shelter_admit(actor=personas.cw_batam, case=case, shelter=small_shelter, admitted_on=days(2))
    loc = shelter_location_for_user(personas.cw_batam, small_shelter.pk)
    assert loc == small_shelter.secret_location
    ev = AuditEvent.objects.filter(action="shelter_location_view").latest("id")
    assert ev.detail == {"via": "case", "case": str(case.pk)} and loc not in str(ev.detail)
    # region-level roles without identity access, other regions, executives: 404 (audited as denied)
    for user in (
        personas.police,
        personas.province_ntt,
        personas.cw_a,
        personas.executive,
        personas.gt_kab,
        personas.national,
    ):
        with pytest.raises(Http404):
            shelter_location_for_user(user, small_shelter.pk)
    assert AuditEvent.objects.filter(action="access_denied_or_missing", object_type="shelter_location").exists()
    # a hospital the case is referred to may see the victim's identity, hence the location
    refer(case, orgs["rs-2171"])
    assert shelter_location_for_user(personas.provider, small_shelter.pk) == loc
    # never in the shelter list
    assert "secret_location" not in shelters_visible_to(personas.cw_batam).query.__str__()


def test_provider_sees_only_stays_at_its_shelter(personas, make_case, small_shelter, refer, orgs):
    ra_staff = personas.ctx.users["ra-2171"]
    case = make_case(personas.cw_batam)
    services.shelter_admit(actor=personas.cw_batam, case=case, shelter=orgs["uptd-2171"], admitted_on=days(9))
    with pytest.raises(Http404):
        services.shelter_admit(actor=ra_staff, case=case, shelter=small_shelter, admitted_on=days(1))
    refer(case, small_shelter)
    assert list(stays_for_case(ra_staff, case)) == []
    stay_u = ShelterStay.objects.get(case=case)
    services.shelter_discharge(actor=personas.cw_batam, stay=stay_u, discharged_on=days(2))
    with pytest.raises(ValidationError):
        services.shelter_admit(actor=ra_staff, case=case, shelter=orgs["uptd-2171"], admitted_on=days(1))
    mine = services.shelter_admit(actor=ra_staff, case=case, shelter=small_shelter, admitted_on=days(1))
    assert list(stays_for_case(ra_staff, case)) == [mine]
    assert set(stays_for_case(personas.cw_batam, case)) == {mine, stay_u}
