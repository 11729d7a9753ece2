"""The analytics store: full rebuild (idempotent, crash-safe, atomic swap), incremental refresh
(from the record_changed signal through the django-tasks task), sums without double counting."""

from __future__ import annotations

import datetime as dt

import pytest

from gugus.monitoring import engine
from gugus.monitoring.elements import closings as closings_source
from gugus.monitoring.models import AnalyticsGeneration, RefreshRequest
from gugus.monitoring.periods import Period

from .factories import make_case, make_victim
from .seed import seed

pytestmark = pytest.mark.django_db

VICTIMS = ("victims_identified", "")


def snapshot(generation: int | None = None) -> dict:
    model = engine.value_model(generation)
    return {(r.element, r.region, r.period, r.disagg): round(r.value, 6) for r in model.objects.all()}


def value(region: str, period: Period, ref=VICTIMS) -> float:
    return engine.element_values({ref}, region, [period])[period.code][None][ref]


def test_a_person_is_counted_once_however_the_sums_are_cut(personas):
    v = make_victim()
    make_case(region="32.12", date=dt.date(2025, 3, 4), victim=v)
    make_case(region="21.71", date=dt.date(2025, 8, 9), victim=v)  # the same person, re-trafficked
    make_case(region="21.71", date=dt.date(2025, 8, 20))
    engine.rebuild_all()
    year = Period.whole_year(2025)
    assert value("ID", year) == 2  # two persons
    assert value("ID", year, ("cases_identified", "")) == 3  # three cases
    assert value("32.12", year) == 1 and value("21.71", year) == 1  # the person sits in their first cell
    months = sum(value("ID", Period.month(2025, m)) for m in range(1, 13))
    quarters = sum(value("ID", Period.quarter(2025, q)) for q in range(1, 5))
    assert months == quarters == 2


def test_rebuild_is_idempotent(personas):
    seed(n=40)
    first = engine.rebuild_all()
    a = snapshot()
    first_gen = engine.active_generation()
    second = engine.rebuild_all()
    b = snapshot()
    second_gen = engine.active_generation()
    assert first.generation != second.generation
    assert a == b and len(a) > 100
    # One active generation; the two builds used the two slots in turn.
    assert AnalyticsGeneration.objects.filter(status="active").count() == 1
    assert {first_gen.slot, second_gen.slot} == {"a", "b"}
    engine.rebuild_all()
    assert snapshot() == a


def test_a_rebuild_killed_half_way_leaves_the_previous_values_and_rerunning_completes(personas):
    seed(n=25)
    engine.rebuild_all()
    before = snapshot()
    active_before = engine.active_generation().id
    make_case(region="32.12", date=dt.date(2026, 1, 5))
    with pytest.raises(RuntimeError):
        engine.rebuild_all(stop_after_source="care")  # "killed" after writing some sources
    assert engine.active_generation().id == active_before
    assert snapshot() == before  # readers still see the complete previous values
    half = AnalyticsGeneration.objects.get(status="building")
    assert engine.value_model(half).objects.exists()  # partly written, in the other slot
    report = engine.rebuild_all()  # re-running completes it
    assert engine.active_generation().id == report.generation
    assert AnalyticsGeneration.objects.get(pk=half.pk).status == "failed"
    assert value("32.12", Period.month(2026, 1)) == before.get(("victims_identified", "32.12", 202601, ""), 0) + 1


def test_refresh_of_changed_cells_matches_a_full_rebuild(personas):
    data = seed(n=40)
    engine.rebuild_all()
    cases = data["cases"]
    touched = set()
    # Change records: a new case, a case moved to another month, one deleted, one excluded.
    new = make_case(region="32.01", date=dt.date(2026, 4, 2), origin="53.71", child=True)
    touched |= {("32.01", 202604), ("53.71", 202604)}
    # A repeat victim's first case moves after their second: the person moves to the other cell.
    repeat = {}
    for c in cases:
        repeat.setdefault(c.victim_id, []).append(c)
    moved = next(
        sorted(cs, key=lambda c: c.identification_date)[0]
        for cs in repeat.values()
        if len(cs) > 1
        and all(not c.is_draft and c.trafficking_status != "not_a_victim" and not c.closure_reason_id for c in cs)
    )
    old_month = moved.identification_date.year * 100 + moved.identification_date.month
    # The old cell is announced by the writer (request to gugus.cases: announce old and new cells).
    touched |= {(moved.region_id[:5], old_month), ((moved.origin_region_id or "ID")[:5], old_month)}
    moved.identification_date = dt.date(2026, 10, 30)
    moved.save(update_fields=["identification_date"])
    touched |= {(moved.region_id[:5], 202610), ((moved.origin_region_id or "ID")[:5], 202610)}
    for region, month in touched:
        engine.refresh(region, month, kinds={"case"})
    refreshed = snapshot()
    engine.rebuild_all()
    rebuilt = snapshot()
    assert new.pk
    assert refreshed == rebuilt


def test_region_wide_refresh_matches_a_full_rebuild_after_care_changes(personas):
    from gugus.care.models import ServiceRecord

    data = seed(n=30)
    engine.rebuild_all()
    case = next(
        c
        for c in data["cases"]
        if not c.is_draft and c.trafficking_status != "not_a_victim" and not c.closure_reason_id
    )
    ServiceRecord.objects.create(
        case=case,
        service_type_id="service_type.legal_aid",
        provider_org=case.owner_org,
        status="completed",
        requested_on=case.identification_date + dt.timedelta(days=200),
        started_on=case.identification_date + dt.timedelta(days=201),
    )
    engine.refresh(case.region_id, 0, kinds={"service"})
    refreshed = snapshot()
    engine.rebuild_all()
    assert refreshed == snapshot()


def test_a_change_announced_through_the_signal_refreshes_the_store(personas, django_capture_on_commit_callbacks):
    from gugus.cases.services import VictimData, victim_register

    engine.rebuild_all()
    month = Period.month(2026, 3)
    assert value("32.12", month) == 0
    with django_capture_on_commit_callbacks(execute=True):
        victim_register(
            actor=personas.cw_a,
            data=VictimData(
                sex="female",
                identification_date=dt.date(2026, 3, 3),
                identification_channel="hotline",
                full_name="Uji Sintetis",
                estimated_age=16,
                origin_region="32.12",
                exploitation_forms=["prostitution"],
            ),
        )
    # The immediate task backend (tests) ran the refresh task inline.
    assert value("32.12", month) == 1
    assert value("32.12", month, ("victims_identified", "age:child")) == 1
    assert value("32.12", month, ("victims_origin", "")) == 1
    assert RefreshRequest.objects.filter(done_at__isnull=True).count() == 0
    assert engine.active_generation().data_version >= 1


def test_changes_during_a_rebuild_are_replayed_into_the_new_generation(personas, monkeypatch):
    engine.rebuild_all()
    original = closings_source.extract
    state = {"done": False}

    def extract_and_meanwhile_a_case_arrives(flt):
        if flt.everything and not state["done"]:
            state["done"] = True
            make_case(region="21.71", date=dt.date(2026, 5, 5))
            from gugus.monitoring.handlers import on_record_changed

            on_record_changed(kind="case", region_code="21.71", date=dt.date(2026, 5, 5))
        return original(flt)

    monkeypatch.setattr(closings_source, "extract", extract_and_meanwhile_a_case_arrives)
    report = engine.rebuild_all()
    assert report.replayed >= 1
    assert value("21.71", Period.month(2026, 5)) == 1


def test_a_broken_source_only_breaks_its_own_elements(personas, monkeypatch):
    make_case(region="32.12", date=dt.date(2025, 3, 4))

    def boom(flt):
        raise RuntimeError("model changed")

    from gugus.monitoring.elements import referrals

    monkeypatch.setattr(referrals, "extract", boom)
    report = engine.rebuild_all()
    assert str(report.sources["referrals"]).startswith("gagal")
    assert value("32.12", Period.whole_year(2025)) == 1


def test_stock_elements_are_positions_at_period_end(personas):
    from gugus.registry.models import TaskForce, TaskForceStatusChange

    tf = TaskForce.objects.create(
        region_id="32.12", level_id="gt_level.kabkota", name="GT", status="active", status_since=dt.date(2025, 2, 1)
    )
    TaskForceStatusChange.objects.create(task_force=tf, status="active", date=dt.date(2025, 2, 1))
    TaskForceStatusChange.objects.create(task_force=tf, status="inactive", date=dt.date(2025, 7, 9))
    engine.rebuild_all()
    ref = ("tf_active", "level:kabkota")
    assert value("32.12", Period.month(2025, 1), ref) == 0
    assert value("32.12", Period.month(2025, 6), ref) == 1
    assert value("32.12", Period.quarter(2025, 2), ref) == 1
    assert value("32.12", Period.whole_year(2025), ref) == 0  # inactive at the end of the year
    assert value("32", Period.month(2025, 3), ref) == 1
    assert value("32", Period.month(2025, 3), ("population", "")) > 0


def test_only_one_rebuild_at_a_time(personas):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("advisory locks are re-entrant within one session; the lock is exercised on SQLite")
    with engine.rebuild_lock(), pytest.raises(engine.RebuildInProgress):
        engine.rebuild_all()
    assert engine.rebuild_all().rows > 0


def test_case_changes_refresh_care_figures_only_when_a_case_moves(personas):
    """A "case" announcement recomputes the region's care and referral figures only when the
    cell's case figures moved (a case entering or leaving counting, the region or the month);
    either way the store ends equal to a full rebuild."""
    from gugus.care.models import ServiceRecord

    seed(n=30)
    a = make_case(region="32.01", date=dt.date(2026, 2, 3), origin="32.12")
    b = make_case(region="32.01", date=dt.date(2026, 2, 9))
    for case, day in ((a, 5), (b, 40)):
        ServiceRecord.objects.create(
            case=case,
            service_type_id="service_type.health_physical",
            provider_org=case.owner_org,
            status="completed",
            requested_on=case.identification_date + dt.timedelta(days=day),
            started_on=case.identification_date + dt.timedelta(days=day + 2),
        )
    engine.rebuild_all()
    before = snapshot()
    # A status step moves no figure: nothing is written, the care source is not even read.
    a.status = "assessed"
    a.save(update_fields=["status"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert engine.refresh("32.01", 202602, kinds={"case"}) == 0
    assert not [q for q in ctx.captured_queries if "care_servicerecord" in q["sql"]]
    # ... nor the cells of the same persons' other cases (one ranking: the cell itself).
    assert len([q for q in ctx.captured_queries if "CREATE TEMP TABLE mon_pc" in q["sql"]]) == 1
    assert snapshot() == before
    # Out of counting (not a victim), then transferred to another region: old and new cells.
    a.trafficking_status = "not_a_victim"
    a.save(update_fields=["trafficking_status"])
    for region in ("32.01", "32.12"):
        engine.refresh(region, 202602, kinds={"case"})
    b.region_id = "53.71"
    b.save(update_fields=["region"])
    for region in ("32.01", "53.71"):
        engine.refresh(region, 202602, kinds={"case"})
    refreshed = snapshot()
    engine.rebuild_all()
    assert refreshed == snapshot()
