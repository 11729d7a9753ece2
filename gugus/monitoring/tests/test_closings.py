"""Month closing (silence ≠ zero), completeness and timeliness per region and level, the list of
regions that do not report, and the configurable due day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gugus.audit.models import AuditEvent
from gugus.core.errors import Conflict
from gugus.monitoring import engine, services
from gugus.monitoring.completeness import completeness
from gugus.monitoring.models import MonthClosing
from gugus.monitoring.periods import Period
from gugus.reference.models import Region

from .factories import make_case

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def at(monkeypatch):
    """at(2026, 11, 5): freeze "now" (local Jakarta time) for the services."""

    def freeze(*ymd, hour=10):
        fixed = dt.datetime(*ymd, hour, 0, tzinfo=JKT).astimezone(dt.UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: fixed)
        return fixed

    return freeze


def test_a_month_closed_by_the_due_day_is_on_time_and_nil_when_no_cases(
    personas, at, django_capture_on_commit_callbacks
):
    at(2026, 11, 5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        c = services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-10")
    assert c.on_time and c.no_new_cases and c.cases_count == 0
    assert c.due_date == dt.date(2026, 11, 10)
    assert AuditEvent.objects.filter(action="month_close", object_id=str(c.pk)).exists()
    assert callbacks  # announced to monitoring on commit


def test_a_late_closing_counts_as_received_but_not_on_time(personas, at):
    make_case(region="32.12", date=dt.date(2026, 10, 3))
    at(2026, 11, 20)
    c = services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-10")
    assert not c.on_time and not c.no_new_cases and c.cases_count == 1


def test_the_due_day_is_configurable(personas, at):
    services.policy_update(actor=personas.national, data={"closing_due_day": 25})
    at(2026, 11, 20)
    c = services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-10")
    assert c.on_time and c.due_date == dt.date(2026, 11, 25)
    with pytest.raises(ValidationError):
        services.policy_update(actor=personas.national, data={"closing_due_day": 31})
    with pytest.raises(PermissionDenied):
        services.policy_update(actor=personas.gt_kab, data={"closing_due_day": 20})


def test_bad_closings_are_refused_and_nothing_is_saved(personas, at):
    at(2026, 11, 5)
    with pytest.raises(ValidationError) as exc:
        services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-11")
    assert "belum berakhir" in str(exc.value)
    with pytest.raises(ValidationError):
        services.closing_close(actor=personas.gt_kab, region_code="32.12", month="Oktober")
    make_case(region="32.12", date=dt.date(2026, 9, 3))
    with pytest.raises(ValidationError) as exc:
        services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-09", no_new_cases=True)
    assert "nihil" in str(exc.value)
    with pytest.raises(ValidationError):
        services.closing_close(actor=personas.province, region_code="32", month="2026-09")  # not a kab/kota
    assert not MonthClosing.objects.exists()
    services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-09")
    with pytest.raises(Conflict):
        services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-09")


def test_who_may_close_which_region(personas, at):
    at(2026, 11, 5)
    with pytest.raises(Http404):
        services.closing_close(actor=personas.gt_kab, region_code="32.01", month="2026-10")  # out of scope
    with pytest.raises(Http404):
        services.closing_close(actor=personas.gt_kab, region_code="99.99", month="2026-10")  # same answer
    for user in (personas.cw_a, personas.executive, personas.national):
        with pytest.raises(PermissionDenied):
            services.closing_close(actor=user, region_code="32.12", month="2026-10")
    assert services.closing_close(actor=personas.province, region_code="32.01", month="2026-10").pk
    assert services.closing_close(actor=personas.steward, region_code="32.12", month="2026-10").pk


def test_reopen_then_close_again(personas, at):
    at(2026, 11, 5)
    c = services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-10")
    with pytest.raises(ValidationError):
        services.closing_reopen(actor=personas.gt_kab, closing=c, reason="")
    services.closing_reopen(actor=personas.gt_kab, closing=c, reason="koreksi data", expected_version=c.version)
    period = Period.month(2026, 10)
    assert completeness(Region.objects.get(code="32.12"), period).total.closed == 0
    at(2026, 11, 15)
    c2 = services.closing_close(actor=personas.gt_kab, region_code="32.12", month="2026-10")
    assert c2.pk == c.pk and not c2.on_time


def test_completeness_and_timeliness_per_level_and_non_reporting_regions(personas, at):
    at(2026, 11, 5)
    services.policy_update(actor=personas.national, data={"closing_start": "2026-08"})
    for month in ("2026-08", "2026-09", "2026-10"):
        services.closing_close(actor=personas.gt_kab, region_code="32.12", month=month)
    services.closing_close(actor=personas.province, region_code="32.01", month="2026-10")
    q = Period.quarter(2026, 3)  # Aug and Sep are expected in Q3 (Jul is before the first month)
    prov = completeness(Region.objects.get(code="32"), q)
    n_kab = Region.objects.filter(parent_id="32").count()
    assert prov.total.expected == n_kab * 2
    assert prov.total.closed == 2 and prov.total.on_time == 0  # Aug/Sep closed in November: late
    year = completeness(Region.objects.get(code="32"), Period.whole_year(2026))
    assert year.total.closed == 4 and year.total.expected == n_kab * 3
    assert year.total.on_time == 2  # only the two Octobers were closed by the 10th
    missing = {m["code"]: m for m in year.missing}
    assert "32.12" not in missing
    assert missing["32.01"]["count"] == 2 and not missing["32.01"]["never"]
    assert missing["32.03"]["never"]
    national = completeness(Region.objects.get(code="ID"), Period.whole_year(2026))
    assert national.total.expected == Region.objects.filter(level=2).count() * 3
    by_prov = {r.code: rt for r, rt in national.by_child}
    assert by_prov["32"].closed == 4 and by_prov["53"].closed == 0
    # The store's completeness indicator agrees with the live computation.
    engine.rebuild_all()
    from gugus.monitoring.query import one

    assert one("reporting_completeness", "32", Period.whole_year(2026)).value == pytest.approx(year.total.completeness)
    assert one("reporting_timeliness", "ID", Period.whole_year(2026)).value == pytest.approx(national.total.timeliness)


def test_pages_and_api_for_closing(personas, at, client_for, api_for):
    at(2026, 11, 5)
    r = client_for(personas.gt_kab).post("/monitoring/penutupan/", {"region": "32.12", "month": "2026-10"}, follow=True)
    assert r.status_code == 200 and "ditutup" in r.content.decode()
    assert MonthClosing.objects.filter(region_id="32.12", month=202610).exists()
    page = client_for(personas.gt_kab).get("/monitoring/kelengkapan/?wilayah=32.12&periode=2026")
    assert page.status_code == 200 and "Tutup bulan" in page.content.decode()
    api = api_for(personas.gt_kab)
    r = api.post("/api/v1/closings", {"region": "32.12", "month": "2026-09"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["month"] == "2026-09"
    r = api.post("/api/v1/closings", {"region": "32.12", "month": "2026-09"}, content_type="application/json")
    assert r.status_code == 409
    r = api.post("/api/v1/closings", {"region": "32.12", "month": "2030-01"}, content_type="application/json")
    assert r.status_code == 422 and "month" in r.json()["errors"]
    r = api.post("/api/v1/closings", {"region": "32.01", "month": "2026-09"}, content_type="application/json")
    assert r.status_code == 404
    r = api_for(personas.executive).post(
        "/api/v1/closings", {"region": "32.12", "month": "2026-08"}, content_type="application/json"
    )
    assert r.status_code == 403
    r = api.get("/api/v1/closings?region=32.12")
    assert r.status_code == 200 and r.json()["count"] == 2
    r = api.get("/api/v1/completeness?region=32.12&period=2026")
    assert r.status_code == 200 and r.json()["total"]["closed"] == 2
    assert api.get("/api/v1/completeness?region=53").status_code == 404
