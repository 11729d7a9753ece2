"""Services: meaning, scope, audit, history, versions — and bad input leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gugus.audit.models import AuditEvent
from gugus.core.errors import Conflict
from gugus.registry import services as svc
from gugus.registry.models import (
    ActionPlan,
    BudgetLine,
    Decree,
    PreventionActivity,
    RadActivityYear,
    Regulation,
    Replication,
    StaffCount,
    TaskForce,
    TaskForceStatusChange,
    Training,
    TrainingParticipants,
    UnitProfile,
)
from gugus.registry.selectors import taskforce_active_on

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


# --- 1. task force, decrees, history ---------------------------------------------------------------


def test_taskforce_with_decree_members_and_audit(personas, kab_tf):
    tf = kab_tf
    assert tf.level_id == "gt_level.kabkota" and tf.status == "active"
    d = tf.current_decree
    assert d.number == "188/Kep.12-DP3A/2020" and d.signed_by == "Bupati Indramayu"
    assert d.secretariat == personas.orgs["gt-3212"]
    assert {m.sub_gt_id for m in d.members.all()} == {
        "sub_gt.social_rehab_repatriation_reintegration",
        "sub_gt.law_enforcement",
    }
    ev = AuditEvent.objects.get(action="taskforce_create", object_id=str(tf.pk))
    assert ev.region_code == "32.12" and ev.actor == personas.gt_kab


def test_renewal_supersedes_and_keeps_both(personas, kab_tf):
    new = svc.decree_renew(
        actor=personas.gt_kab,
        task_force=kab_tf,
        number="188/Kep.7-DP3A/2024",
        date=dt.date(2024, 5, 6),
        signed_by="Bupati Indramayu",
        chair="Sekretaris Daerah",
    )
    old = Decree.objects.get(number="188/Kep.12-DP3A/2020")
    assert new.supersedes == old and old.superseded_by == new
    assert kab_tf.decrees.count() == 2 and kab_tf.current_decree == new
    assert new.members.count() == 2  # copied from the previous decree
    assert AuditEvent.objects.filter(action="decree_renew", object_id=str(new.pk)).exists()
    # a renewal dated before the decree in force is refused
    with pytest.raises(ValidationError) as exc:
        svc.decree_renew(
            actor=personas.gt_kab,
            task_force=kab_tf,
            number="X/2023",
            date=dt.date(2023, 1, 1),
            signed_by="Bupati",
            chair="Wakil Bupati",
        )
    assert "decree_date" in _errors(exc)
    assert kab_tf.decrees.count() == 2


def test_duplicate_decree_number_is_refused_and_nothing_saved(personas, kab_tf):
    before = (Decree.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        svc.decree_renew(
            actor=personas.gt_kab,
            task_force=kab_tf,
            number=" 188/kep.12-dp3a/2020 ",
            date=dt.date(2024, 1, 2),
            signed_by="Bupati",
            chair="Wakil Bupati",
        )
    assert "sudah tercatat" in _errors(exc)["decree_number"][0]
    assert (Decree.objects.count(), AuditEvent.objects.count()) == before


def test_second_taskforce_for_region_refused(personas, kab_tf):
    with pytest.raises(ValidationError) as exc:
        svc.taskforce_create(
            actor=personas.gt_kab,
            region_code="32.12",
            decree_number="2/2024",
            decree_date=dt.date(2024, 1, 1),
            signed_by="Bupati",
            chair="Wakil",
        )
    assert "region" in _errors(exc)
    assert TaskForce.objects.count() == 1


def test_status_history_and_active_on_date(personas, kab_tf):
    svc.taskforce_set_status(
        actor=personas.gt_kab,
        task_force=kab_tf,
        expected_version=kab_tf.version,
        status="inactive",
        date=dt.date(2023, 6, 1),
        note="tidak ada rapat",
    )
    assert taskforce_active_on("32.12", dt.date(2022, 1, 1))
    assert not taskforce_active_on("32.12", dt.date(2023, 7, 1))
    assert not taskforce_active_on("32.12", dt.date(2019, 1, 1))  # before it was formed
    # renewing reactivates it from the decree date
    svc.decree_renew(
        actor=personas.gt_kab,
        task_force=kab_tf,
        number="9/2024",
        date=dt.date(2024, 2, 1),
        signed_by="Bupati",
        chair="Wakil Bupati",
    )
    assert taskforce_active_on("32.12", dt.date(2024, 3, 1))
    assert list(TaskForceStatusChange.objects.filter(task_force=kab_tf).values_list("status", flat=True)) == [
        "active",
        "inactive",
        "active",
    ]
    with pytest.raises(ValidationError) as exc:
        svc.taskforce_set_status(
            actor=personas.gt_kab,
            task_force=kab_tf,
            expected_version=kab_tf.version,
            status="dissolved",
            date=dt.date(2024, 4, 1),
        )
    assert "note" in _errors(exc)


def test_stale_version_is_a_conflict(personas, kab_tf):
    v = kab_tf.version
    svc.taskforce_update(actor=personas.gt_kab, task_force=kab_tf, expected_version=v, note="catatan 1")
    stale = TaskForce.objects.get(pk=kab_tf.pk)
    with pytest.raises(Conflict):
        svc.taskforce_update(actor=personas.gt_kab, task_force=stale, expected_version=v, note="catatan 2")
    assert TaskForce.objects.get(pk=kab_tf.pk).note == "catatan 1"


def test_decree_correction_and_member_changes(personas, kab_tf):
    d = kab_tf.current_decree
    svc.decree_update(actor=personas.steward, decree=d, expected_version=d.version, number="188/Kep.12a-DP3A/2020")
    assert Decree.objects.get(pk=d.pk).number == "188/Kep.12a-DP3A/2020"
    m = svc.decree_member_add(
        actor=personas.gt_kab,
        decree=d,
        organisation_id=str(personas.orgs["rptc-3212"].pk),
        sub_gt="social_rehab_repatriation_reintegration",
    )
    with pytest.raises(ValidationError):
        svc.decree_member_add(
            actor=personas.gt_kab,
            decree=d,
            organisation_id=str(personas.orgs["rptc-3212"].pk),
            sub_gt="social_rehab_repatriation_reintegration",
        )
    svc.decree_member_remove(actor=personas.gt_kab, member=m)
    assert AuditEvent.objects.filter(action="decree_member_remove").exists()


# --- 9. who may write --------------------------------------------------------------------------------


def test_write_scope(personas, kab_tf):
    # another kab/kota's secretariat, the province secretariat and executives: no
    with pytest.raises(Http404):
        svc.taskforce_update(actor=personas.province, task_force=kab_tf, expected_version=None, note="x")
    with pytest.raises(Http404):
        svc.taskforce_update(actor=personas.executive, task_force=kab_tf, expected_version=None, note="x")
    with pytest.raises(ValidationError) as exc:
        svc.budget_create(
            actor=personas.gt_kab,
            region_code="32.01",
            year=2025,
            source="apbd",
            programme="prevention",
            allocated="1000",
        )
    assert exc.value.message_dict == {"region": ["Anda tidak berwenang mengisi data untuk wilayah ini."]}
    with pytest.raises(ValidationError):
        svc.budget_create(
            actor=personas.province,
            region_code="32.12",
            year=2025,
            source="apbd",
            programme="prevention",
            allocated="1000",
        )
    # the province data steward corrects its kab/kota's entries, not another province's
    svc.taskforce_update(actor=personas.steward, task_force=kab_tf, expected_version=kab_tf.version, note="koreksi")
    svc.budget_create(
        actor=personas.steward, region_code="32.01", year=2025, source="apbd", programme="prevention", allocated="1000"
    )
    with pytest.raises(ValidationError):
        svc.budget_create(
            actor=personas.steward,
            region_code="53.71",
            year=2025,
            source="apbd",
            programme="prevention",
            allocated="1000",
        )
    # the province secretariat fills its own province; the national secretariat the national level
    svc.budget_create(
        actor=personas.province, region_code="32", year=2025, source="apbd", programme="prevention", allocated="1000"
    )
    svc.budget_create(
        actor=personas.national, region_code="ID", year=2025, source="apbn", programme="prevention", allocated="1000"
    )
    assert BudgetLine.objects.count() == 3


# --- 2. RAD ------------------------------------------------------------------------------------------


def _plan(personas, **kw):
    data = {
        "title": "RAD PP-TPPO Indramayu",
        "period_start": 2025,
        "period_end": 2029,
        "status": "enacted",
        "legal_basis": "Perbup No. 7 Tahun 2025",
        "in_rpjmd": True,
    }
    data.update(kw)
    return svc.plan_create(actor=personas.gt_kab, region_code="32.12", **data)


def test_rad_period_ending_before_start_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        _plan(personas, period_start=2025, period_end=2023)
    assert "sebelum dimulai" in _errors(exc)["period_end"][0]
    assert ActionPlan.objects.count() == 0 and not AuditEvent.objects.filter(action="rad_create").exists()


def test_rad_rules_and_activities(personas, today):
    with pytest.raises(ValidationError) as exc:
        _plan(personas, legal_basis="")
    assert "legal_basis" in _errors(exc)
    plan = _plan(personas, renstra_agency_ids=[str(personas.orgs["uptd-3212"].pk)])
    assert plan.in_renstra_skpd and plan.in_rpjmd
    with pytest.raises(ValidationError) as exc:
        _plan(personas, period_start=2027, period_end=2031)
    assert "bertumpang tindih" in _errors(exc)["period_start"][0]
    act = svc.activity_add(
        actor=personas.gt_kab,
        plan=plan,
        name="Sosialisasi di desa",
        unit="desa",
        sub_gt="prevention_child_participation",
        responsible_ids=[str(personas.orgs["uptd-3212"].pk)],
    )
    row = svc.activity_year_set(actor=personas.gt_kab, activity=act, year=2025, target="12", realisation="9")
    assert row.target == Decimal("12") and row.realisation == Decimal("9")
    with pytest.raises(ValidationError) as exc:
        svc.activity_year_set(actor=personas.gt_kab, activity=act, year=2031, target="1")
    assert "di luar periode" in _errors(exc)["year"][0]
    with pytest.raises(Conflict):  # the year exists: an edit needs the version the editor saw
        svc.activity_year_set(actor=personas.gt_kab, activity=act, year=2025, target="13")
    svc.activity_year_set(
        actor=personas.gt_kab, activity=act, year=2025, target="13", realisation="9", expected_version=row.version
    )
    assert RadActivityYear.objects.get(pk=row.pk).target == Decimal("13")
    svc.plan_update(actor=personas.gt_kab, plan=plan, expected_version=plan.version, status="expired")
    assert ActionPlan.objects.get(pk=plan.pk).status == "expired"


# --- 3. budgets ----------------------------------------------------------------------------------------


def test_budget_exact_decimal_and_overspend_rule(personas, today):
    year = today.year - 1
    ok = svc.budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=year,
        source="apbd",
        programme="handling_repatriation",
        allocated="0.10",
        realised="0.10",
    )
    svc.budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=year,
        source="dak",
        programme="handling_repatriation",
        allocated="0.20",
    )
    from django.db.models import Sum

    assert BudgetLine.objects.filter(region_id="32.12").aggregate(s=Sum("allocated"))["s"] == Decimal("0.30")
    before = BudgetLine.objects.count()
    with pytest.raises(ValidationError) as exc:
        svc.budget_create(
            actor=personas.gt_kab,
            region_code="32.12",
            year=year,
            source="donor",
            programme="prevention",
            allocated="100000000",
            realised="120000000",
        )
    msg = _errors(exc)["realised"][0]
    assert "melebihi pagu" in msg and "Rp120.000.000" in msg and "catatan" in msg
    assert BudgetLine.objects.count() == before
    svc.budget_create(
        actor=personas.gt_kab,
        region_code="32.12",
        year=year,
        source="donor",
        programme="prevention",
        allocated="100000000",
        realised="120000000",
        note="Tambahan APBD-P untuk pemulangan",
    )
    with pytest.raises(ValidationError) as exc:
        svc.budget_update(actor=personas.gt_kab, budget=ok, expected_version=ok.version, realised="0.11")
    assert "realised" in _errors(exc)


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("allocated", "-5", "negatif"),
        ("allocated", "20000000000000", "tidak wajar"),
        ("allocated", "12.345", "dua angka"),
        ("allocated", "abc", "rupiah"),
        ("year", 1990, "rentang"),
        ("source", "lottery", "tidak ada dalam daftar"),
    ],
)
def test_budget_bad_values(personas, field, value, needle):
    data = {"region_code": "32.12", "year": 2025, "source": "apbd", "programme": "prevention", "allocated": "1000"}
    data[field] = value
    with pytest.raises(ValidationError) as exc:
        svc.budget_create(actor=personas.gt_kab, **data)
    assert needle in " ".join(_errors(exc)[field])
    assert BudgetLine.objects.count() == 0


def test_budget_future_realisation_and_duplicates(personas, today, kab_budget):
    with pytest.raises(ValidationError) as exc:
        svc.budget_create(
            actor=personas.gt_kab,
            region_code="32.12",
            year=today.year + 1,
            source="apbd",
            programme="prevention",
            allocated="1000",
            realised="10",
        )
    assert "belum dapat diisi" in _errors(exc)["realised"][0]
    with pytest.raises(ValidationError) as exc:
        svc.budget_create(
            actor=personas.gt_kab,
            region_code="32.12",
            year=today.year,
            source="apbd",
            programme="prevention",
            allocated="5",
        )
    assert "sudah ada" in _errors(exc)["programme"][0]


def test_budget_update_delete_audited(personas, kab_budget):
    b = kab_budget
    svc.budget_update(actor=personas.gt_kab, budget=b, expected_version=b.version, allocated="175000000")
    ev = AuditEvent.objects.get(action="budget_update", object_id=str(b.pk))
    assert ev.detail["after"]["allocated"] == "175000000.00"
    with pytest.raises(Conflict):
        svc.budget_delete(actor=personas.gt_kab, budget=b, expected_version=1)
    svc.budget_delete(actor=personas.gt_kab, budget=b, expected_version=b.version)
    assert not BudgetLine.objects.exists()
    assert AuditEvent.objects.filter(action="budget_delete", object_id=str(b.pk)).exists()


# --- 4. units, staff, trainings -----------------------------------------------------------------------


def test_unit_profile_and_staff_counts(personas, today):
    safe_house = personas.orgs["rumah-aman-2171"]
    with pytest.raises(Http404):  # Batam's unit is not the Indramayu secretariat's
        svc.unit_profile_save(actor=personas.gt_kab, organisation=safe_house, beds=6)
    unit = personas.orgs["uptd-3212"]
    p = svc.unit_profile_save(
        actor=personas.gt_kab, organisation=unit, beds=12, beds_children=4, open_24h=True, as_of=today
    )
    with pytest.raises(Conflict):
        svc.unit_profile_save(actor=personas.gt_kab, organisation=unit, beds=13)
    svc.unit_profile_save(actor=personas.gt_kab, organisation=unit, beds=13, expected_version=p.version)
    assert UnitProfile.objects.get(organisation=unit).beds == 13
    with pytest.raises(ValidationError) as exc:
        svc.unit_profile_save(
            actor=personas.gt_kab, organisation=unit, beds=2, beds_children=5, expected_version=p.version + 1
        )
    assert "beds_children" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        svc.staff_count_set(
            actor=personas.gt_kab, organisation=unit, year=today.year, function="case_manager", total=3, trained=5
        )
    assert "melebihi" in _errors(exc)["trained"][0]
    s = svc.staff_count_set(
        actor=personas.gt_kab, organisation=unit, year=today.year, function="case_manager", total=5, trained=3
    )
    assert StaffCount.objects.get(pk=s.pk).trained == 3
    with pytest.raises(ValidationError):  # a secretariat is not a service unit
        svc.staff_count_set(
            actor=personas.gt_kab,
            organisation=personas.orgs["gt-3212"],
            year=today.year,
            function="admin",
            total=1,
            trained=0,
        )
    for ev in AuditEvent.objects.filter(object_type__in=["unit_profile", "staff_count"]):
        assert "Rahasia" not in str(ev.detail)


def test_training_with_participants_by_agency_and_sex(personas, today):
    t = svc.training_create(
        actor=personas.gt_kab,
        region_code="32.12",
        title="Penegakan hukum berperspektif korban",
        topic="victim_centred_law_enforcement",
        start_date=today - dt.timedelta(days=10),
        end_date=today - dt.timedelta(days=8),
        organiser_id=str(personas.orgs["gt-3212"].pk),
        participants=[
            {"agency_type": "police_unit_ppa", "female": 4, "male": 11},
            {"agency_type": "prosecutor", "female": 3, "male": 2},
            {"agency_type": "court", "female": 1, "male": 2},
        ],
    )
    assert sum(p.female for p in t.participants.all()) == 8
    with pytest.raises(ValidationError) as exc:
        svc.training_create(
            actor=personas.gt_kab,
            region_code="32.12",
            title="X",
            topic="case_management",
            start_date=today - dt.timedelta(days=1),
            end_date=today - dt.timedelta(days=3),
        )
    errors = _errors(exc)
    assert "end_date" in errors and "organiser" in errors
    with pytest.raises(ValidationError) as exc:
        svc.training_create(
            actor=personas.gt_kab,
            region_code="32.12",
            title="X",
            topic="case_management",
            start_date=today - dt.timedelta(days=1),
            organiser_name="IOM",
            participants=[{"agency_type": "court", "female": 1}, {"agency_type": "court", "male": 1}],
        )
    assert "participants" in _errors(exc)
    assert Training.objects.count() == 1
    svc.training_update(
        actor=personas.gt_kab,
        training=t,
        expected_version=t.version,
        participants=[{"agency_type": "court", "female": 2, "male": 2}],
    )
    assert t.participants.count() == 1


def _announced(django_capture_on_commit_callbacks, fn):
    """Run fn and return the (kind, region, date) announcements it sent on commit."""
    from gugus.core.signals import record_changed

    seen = []

    def listener(sender=None, **kw):
        seen.append((kw["kind"], kw["region_code"], kw["date"]))

    record_changed.connect(listener, dispatch_uid="registry-test-delete")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            fn()
    finally:
        record_changed.disconnect(dispatch_uid="registry-test-delete")
    return seen


def test_training_delete_with_participants_audited_and_announced(personas, today, django_capture_on_commit_callbacks):
    start = today - dt.timedelta(days=10)
    t = svc.training_create(
        actor=personas.gt_kab,
        region_code="32.12",
        title="Identifikasi korban",
        topic="case_management",
        start_date=start,
        organiser_name="IOM",
        participants=[{"agency_type": "court", "female": 2, "male": 3}, {"agency_type": "prosecutor", "male": 1}],
    )
    for user in (personas.province, personas.province_ntt, personas.cw_a, personas.executive):
        with pytest.raises(Http404):
            svc.training_delete(actor=user, training=t, reason="impor dibatalkan")
    with pytest.raises(ValidationError) as exc:
        svc.training_delete(actor=personas.gt_kab, training=t, reason="")
    assert "reason" in _errors(exc)
    with pytest.raises(Conflict):
        svc.training_delete(actor=personas.gt_kab, training=t, reason="x", expected_version=t.version + 1)
    assert Training.objects.filter(pk=t.pk).exists() and TrainingParticipants.objects.count() == 2
    seen = _announced(
        django_capture_on_commit_callbacks,
        lambda: svc.training_delete(actor=personas.gt_kab, training=t, reason="impor dibatalkan"),
    )
    assert seen == [("training", "32.12", start)]
    assert not Training.objects.exists() and not TrainingParticipants.objects.exists()
    ev = AuditEvent.objects.get(action="training_delete", object_id=str(t.pk))
    assert ev.object_type == "training" and ev.region_code == "32.12" and ev.actor == personas.gt_kab
    assert ev.detail["reason"] == "impor dibatalkan" and (ev.detail["female"], ev.detail["male"]) == (2, 4)


def test_training_delete_by_province_steward(personas, today):
    t = svc.training_create(
        actor=personas.gt_kab,
        region_code="32.12",
        title="X",
        topic="case_management",
        start_date=today,
        organiser_name="IOM",
    )
    svc.training_delete(actor=personas.steward, training=t, reason="data ganda")  # registry.correct over 32
    assert not Training.objects.exists()


# --- 5. regulations -----------------------------------------------------------------------------------


def test_regulations(personas):
    r = svc.regulation_create(
        actor=personas.gt_kab,
        region_code="32.12",
        reg_type="perbup",
        number="12",
        year=2021,
        title="Gugus Tugas PP-TPPO",
    )
    with pytest.raises(ValidationError) as exc:
        svc.regulation_create(
            actor=personas.gt_kab, region_code="32.12", reg_type="pergub", number="3", year=2021, title="x"
        )
    assert "tidak diterbitkan" in _errors(exc)["reg_type"][0]
    with pytest.raises(ValidationError) as exc:
        svc.regulation_create(
            actor=personas.gt_kab, region_code="32.12", reg_type="perbup", number="12", year=2021, title="lagi"
        )
    assert "number" in _errors(exc)
    svc.regulation_update(actor=personas.gt_kab, regulation=r, expected_version=r.version, status="revoked")
    assert Regulation.objects.get(pk=r.pk).status == "revoked"


# --- 6. prevention --------------------------------------------------------------------------------------


def test_prevention_reach_by_sex_and_age(personas, today):
    a = svc.prevention_create(
        actor=personas.gt_kab,
        region_code="32.12",
        date=today,
        kind="peer_group",
        title="Kelompok sebaya",
        audience="students",
        organiser_name="Forum Anak",
        female_0_17=30,
        male_0_17=25,
        female_18_24=4,
    )
    assert a.reached_total == 59
    with pytest.raises(ValidationError) as exc:
        svc.prevention_create(
            actor=personas.gt_kab,
            region_code="32.12",
            date=today + dt.timedelta(days=3),
            kind="kie",
            title="x",
            audience="martians",
            female_0_17=-1,
        )
    errors = _errors(exc)
    assert {"date", "audience", "female_0_17", "organiser"} <= set(errors)
    assert PreventionActivity.objects.count() == 1


def test_prevention_activity_delete_audited_and_announced(personas, today, django_capture_on_commit_callbacks):
    a = svc.prevention_create(
        actor=personas.gt_kab,
        region_code="32.12",
        date=today,
        kind="peer_group",
        title="Kelompok sebaya",
        audience="students",
        organiser_name="Forum Anak",
        female_0_17=30,
        male_0_17=25,
    )
    for user in (personas.province, personas.province_ntt, personas.cw_a, personas.national):
        with pytest.raises(Http404):
            svc.prevention_activity_delete(actor=user, activity=a, reason="impor dibatalkan")
    with pytest.raises(ValidationError) as exc:
        svc.prevention_activity_delete(actor=personas.gt_kab, activity=a, reason="x" * 501)
    assert "reason" in _errors(exc)
    with pytest.raises(Conflict):
        svc.prevention_activity_delete(actor=personas.gt_kab, activity=a, reason="x", expected_version=a.version + 1)
    assert PreventionActivity.objects.filter(pk=a.pk).exists()
    assert not AuditEvent.objects.filter(action="prevention_delete").exists()
    seen = _announced(
        django_capture_on_commit_callbacks,
        lambda: svc.prevention_activity_delete(actor=personas.gt_kab, activity=a, reason="impor dibatalkan"),
    )
    assert seen == [("prevention", "32.12", today)]
    assert not PreventionActivity.objects.exists()
    ev = AuditEvent.objects.get(action="prevention_delete", object_id=str(a.pk))
    assert ev.object_type == "prevention" and ev.detail["reached"] == 55
    assert ev.detail["reason"] == "impor dibatalkan"


# --- 7. best practices -------------------------------------------------------------------------------------


def test_best_practice_and_replication(personas):
    bp = svc.practice_create(
        actor=personas.gt_kab,
        region_code="32.12",
        title="Forum anak pelapor dini",
        what="Forum anak dilatih melapor",
        who="Forum anak desa",
        evidence="3 kasus dicegah",
        started_year=2022,
    )
    with pytest.raises(ValidationError):
        svc.replication_add(actor=personas.gt_kab, practice=bp, region_code="32.12", year=2024)
    # the replicating region's own secretariat (province 32) may record it, as may the origin's
    svc.replication_add(actor=personas.province, practice=bp, region_code="32", year=2024)
    svc.replication_add(actor=personas.gt_kab, practice=bp, region_code="53.71", year=2025)
    with pytest.raises(ValidationError):
        svc.replication_add(actor=personas.province_ntt, practice=bp, region_code="53.71", year=2025)
    with pytest.raises(ValidationError) as exc:
        svc.replication_add(actor=personas.gt_kab, practice=bp, region_code="21.71", year=2020)
    assert "year" in _errors(exc)
    assert set(Replication.objects.values_list("region_id", flat=True)) == {"32", "53.71"}
    with pytest.raises(ValidationError) as exc:
        svc.practice_create(
            actor=personas.gt_kab,
            region_code="32.12",
            title="x",
            what="y",
            evidence="",
            evidence_url="javascript:alert(1)",
        )
    assert {"evidence", "evidence_url", "who"} <= set(_errors(exc))
