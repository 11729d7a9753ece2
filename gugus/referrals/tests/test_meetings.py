"""Coordination meetings and action items: services, overdue lists, pages and API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from gugus.audit.models import AuditEvent
from gugus.referrals import services
from gugus.referrals.models import ActionStatus, Notification
from gugus.referrals.selectors import action_items_box, meeting_get_for_user, meetings_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(personas):
    o = personas.orgs
    today = timezone.localdate()
    m = services.meeting_create(
        actor=personas.gt_kab,
        region_code="32.12",
        date=today - dt.timedelta(days=30),
        title="Rakor GT Indramayu",
        participants=[o["uptd-3212"], o["polres-3212"], o["puskesmas-3212"]],
        decisions="Bentuk tim penjangkauan desa rawan.",
    )
    late = services.action_item_add(
        actor=personas.gt_kab,
        meeting=m,
        description="Data desa rawan",
        owner_org=o["uptd-3212"],
        deadline=today - dt.timedelta(days=5),
    )
    later = services.action_item_add(
        actor=personas.gt_kab,
        meeting=m,
        description="Patroli pelabuhan",
        owner_org=o["polres-3212"],
        deadline=today + dt.timedelta(days=20),
    )
    return m, late, later


def test_meeting_create_and_visibility(personas, meeting):
    m, late, later = meeting
    assert set(m.participants.values_list("pk", flat=True)) >= {personas.orgs["gt-3212"].pk}  # secretariat joins
    assert AuditEvent.objects.filter(action="meeting_create", object_id=str(m.pk)).exists()
    # secretariat, participants, and covering secretariats see it; others do not
    for user in (personas.gt_kab, personas.cw_a, personas.sv_a, personas.province, personas.national):
        assert meeting_get_for_user(user, m.pk) == m
    for user in (personas.cw_b, personas.provider, personas.executive, personas.steward, personas.province_ntt):
        with pytest.raises(Http404):
            meeting_get_for_user(user, m.pk)
    # the owner organisation's users are told about a new action item
    assert Notification.objects.filter(user=personas.cw_a, kind="action_item").exists()


def test_meeting_bad_input(personas):
    o = personas.orgs
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=personas.cw_a, region_code="32.12", date=today, title="x", participants=[o["uptd-3212"]]
        )
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(actor=personas.gt_kab, region_code="53.71", date=today, title="", participants=[])
    assert {"region", "title", "participants"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=personas.gt_kab,
            region_code="99.99",
            date=dt.date(1990, 1, 1),
            title="x",
            participants=[o["uptd-3212"]],
        )
    assert {"region", "date"} <= set(exc.value.message_dict)


def test_action_item_rules(personas, meeting):
    m, late, later = meeting
    o = personas.orgs
    with pytest.raises(ValidationError) as exc:
        services.action_item_add(
            actor=personas.gt_kab, meeting=m, description="x", owner_org=o["uptd-5371"], deadline=m.date
        )
    assert "owner_org" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.action_item_add(
            actor=personas.gt_kab,
            meeting=m,
            description="x",
            owner_org=o["uptd-3212"],
            deadline=m.date - dt.timedelta(days=1),
        )
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.action_item_add(
            actor=personas.cw_a, meeting=m, description="x", owner_org=o["uptd-3212"], deadline=m.date
        )
    # owner may progress its own item; not cancel it; another org's user may not touch it
    services.action_item_set_status(actor=personas.cw_a, item=late, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.action_item_set_status(actor=personas.cw_a, item=late, status=ActionStatus.CANCELLED)
    with pytest.raises(ValidationError):
        services.action_item_set_status(actor=personas.cw_a, item=later, status=ActionStatus.DONE)
    with pytest.raises(ValidationError):
        services.action_item_set_status(actor=personas.cw_a, item=late, status=ActionStatus.IN_PROGRESS)
    services.action_item_set_status(actor=personas.cw_a, item=late, status=ActionStatus.DONE, note="selesai")
    late.refresh_from_db()
    assert late.done_on == timezone.localdate() and late.version == 3
    services.action_item_set_status(actor=personas.gt_kab, item=later, status=ActionStatus.CANCELLED)


def test_overdue_items_listed_for_owner_and_secretariat(personas, meeting):
    m, late, later = meeting
    assert list(action_items_box(personas.cw_a, "overdue")) == [late]
    assert list(action_items_box(personas.gt_kab, "overdue")) == [late]
    assert list(action_items_box(personas.province, "overdue")) == [late]
    assert list(action_items_box(personas.police, "overdue")) == []  # Batam police: not the owner
    assert list(action_items_box(personas.cw_a, "mine")) == [late]
    assert set(action_items_box(personas.gt_kab, "secretariat")) == {late, later}
    assert not action_items_box(personas.cw_b, "all").exists()


def test_meeting_update_keeps_owners_and_versions(personas, meeting):
    from gugus.core.errors import Conflict

    m, late, later = meeting
    o = personas.orgs
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=personas.gt_kab, meeting=m, expected_version=m.version, participants=[o["puskesmas-3212"]]
        )
    assert "participants" in exc.value.message_dict
    services.meeting_update(actor=personas.gt_kab, meeting=m, expected_version=1, decisions="Keputusan baru")
    with pytest.raises(Conflict):
        services.meeting_update(actor=personas.gt_kab, meeting=m, expected_version=1, decisions="lama")
    with pytest.raises(ValidationError):
        services.meeting_update(actor=personas.cw_a, meeting=m, expected_version=m.version, decisions="x")
    assert meetings_visible_to(personas.gt_kab).get().decisions == "Keputusan baru"


def test_meeting_api(personas, api_for, meeting):
    m, late, later = meeting
    o = personas.orgs
    gt = api_for(personas.gt_kab)
    today = timezone.localdate()
    r = gt.post(
        "/api/v1/meetings",
        {
            "region": "32.12",
            "date": today.isoformat(),
            "title": "Rakor kedua",
            "participant_ids": [str(o["uptd-3212"].pk), str(o["rptc-3212"].pk)],
            "decisions": "…",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    new_id = r.json()["id"]
    r = gt.post(
        f"/api/v1/meetings/{new_id}/action-items",
        {
            "description": "Siapkan shelter",
            "owner_org_id": str(o["rptc-3212"].pk),
            "deadline": (today + dt.timedelta(days=10)).isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["overdue"] is False
    r = gt.post(
        f"/api/v1/meetings/{new_id}/action-items",
        {
            "description": "x",
            "owner_org_id": str(o["uptd-5371"].pk),
            "deadline": today.isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "owner_org" in r.json()["errors"]
    assert gt.get("/api/v1/meetings").json()["count"] == 2
    cw = api_for(personas.cw_a)
    body = cw.get("/api/v1/action-items?box=overdue").json()
    assert [i["id"] for i in body["items"]] == [str(late.pk)] and body["items"][0]["overdue"] is True
    r = cw.patch(
        f"/api/v1/action-items/{late.pk}", {"status": "done", "expected_version": 1}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = cw.patch(f"/api/v1/action-items/{later.pk}", {"status": "done"}, content_type="application/json")
    assert r.status_code == 422
    other = api_for(personas.cw_b)
    assert other.get(f"/api/v1/meetings/{m.pk}").status_code == 404
    assert other.get(f"/api/v1/action-items/{late.pk}").status_code == 404
    assert (
        other.patch(
            f"/api/v1/meetings/{m.pk}", {"expected_version": 1, "title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    r = gt.patch(f"/api/v1/meetings/{m.pk}", {"expected_version": 99, "title": "x"}, content_type="application/json")
    assert r.status_code == 409
    assert cw.get("/api/v1/action-items?box=nonsense").status_code == 422


def test_meeting_pages(personas, client_for, meeting):
    m, late, later = meeting
    o = personas.orgs
    gt = client_for(personas.gt_kab)
    assert gt.get("/rujukan/rapat/").status_code == 200
    page = gt.get(f"/rujukan/rapat/{m.pk}/")
    assert page.status_code == 200 and "Data desa rawan" in page.content.decode()
    assert gt.get("/rujukan/rapat/baru/").status_code == 200
    r = gt.post(
        "/rujukan/rapat/baru/",
        {
            "region": "32.12",
            "date": timezone.localdate().isoformat(),
            "title": "",
            "participants": [str(o["uptd-3212"].pk)],
        },
    )
    assert r.status_code == 422
    r = gt.post(
        "/rujukan/rapat/baru/",
        {
            "region": "32.12",
            "date": timezone.localdate().isoformat(),
            "title": "Rakor darurat",
            "participants": [str(o["uptd-3212"].pk)],
        },
    )
    assert r.status_code == 302
    r = gt.post(
        f"/rujukan/rapat/{m.pk}/tindak-lanjut/",
        {
            "description": "Rapat lanjutan",
            "owner_org": str(o["uptd-3212"].pk),
            "deadline": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302
    r = gt.post(
        f"/rujukan/rapat/{m.pk}/ubah/",
        {
            "date": m.date.isoformat(),
            "title": "Rakor GT Indramayu I",
            "participants": [str(o["uptd-3212"].pk), str(o["polres-3212"].pk)],
            "decisions": "ok",
            "version": 1,
        },
    )
    assert r.status_code == 302
    cw = client_for(personas.cw_a)
    assert "terlambat" in cw.get("/rujukan/tindak-lanjut/?box=overdue").content.decode()
    assert cw.get("/rujukan/rapat/baru/").status_code == 404
    assert cw.get(f"/rujukan/rapat/{m.pk}/ubah/").status_code == 404
    r = cw.post(f"/rujukan/tindak-lanjut/{late.pk}/status/", {"status": "done", "version": 1})
    assert r.status_code == 302
    r = cw.post(f"/rujukan/tindak-lanjut/{later.pk}/status/", {"status": "done"})
    assert r.status_code == 422
    assert client_for(personas.cw_b).get(f"/rujukan/rapat/{m.pk}/").status_code == 404
