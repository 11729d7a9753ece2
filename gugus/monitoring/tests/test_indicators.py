"""Indicators as data: shipped definitions (versioned, idempotent, no targets), definitions checked
at definition time (unknown element, cycle, zero divisor, out-of-range target, per-year element in
a monthly indicator), values with "tidak ada data" for a zero denominator, and the UI where the
national secretariat adds an indicator without code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gugus.audit.models import AuditEvent
from gugus.monitoring import engine, services
from gugus.monitoring.indicators import target_for
from gugus.monitoring.loader import load_shipped, read_shipped
from gugus.monitoring.models import Indicator, IndicatorTarget
from gugus.monitoring.periods import Period
from gugus.monitoring.query import one

from .factories import make_case

pytestmark = pytest.mark.django_db

GOOD = {
    "code": "child_victims_share_q",
    "name_id": "Proporsi korban anak (uji)",
    "definition": "Uji.",
    "numerator": "victims_identified[age:child]",
    "denominator": "victims_identified",
    "factor": 100,
    "period_type": "month",
    "direction": "neutral",
    "min_value": 0,
    "max_value": 100,
}


def errors_of(exc) -> dict:
    return {k: " ".join(v) for k, v in exc.value.message_dict.items()}


def test_shipped_indicators_are_loaded_with_every_required_one_and_no_targets():
    codes = set(Indicator.objects.values_list("code", flat=True))
    required = {
        "spm_complaint",
        "spm_health",
        "spm_social_rehab",
        "spm_spiritual",
        "spm_law_enforcement",
        "spm_legal_aid",
        "spm_repatriation",
        "spm_reintegration",
        "rights_fulfilled",
        "services_within_7d",
        "referral_completion",
        "restitution_paid_ratio",
        "victims_per_100k",
        "child_share",
        "tf_active_share",
        "rad_enacted_share",
        "prevention_budget_per_capita",
        "shelter_beds_per_100k",
        "trained_staff_share",
    }
    assert required <= codes
    assert not IndicatorTarget.objects.exists()
    assert "target" not in (read_shipped().get("indicator")[0])


def test_loading_twice_changes_nothing_and_keeps_user_targets(personas):
    ind = Indicator.objects.get(code="spm_health")
    services.indicator_target_set(actor=personas.national, indicator=ind, year=2026, value=80)
    before = list(Indicator.objects.order_by("code").values())
    report = load_shipped()
    assert report["indicators_created"] == 0 and report["indicators_updated"] == 0
    assert list(Indicator.objects.order_by("code").values()) == before
    assert IndicatorTarget.objects.get(indicator=ind).value == 80


def test_every_shipped_formula_passes_the_definition_checks():
    for ind in Indicator.objects.filter(origin="shipped"):
        data = {f: getattr(ind, f) for f in services.EDITABLE}
        from gugus.monitoring.indicators import validate_definition

        validate_definition(data, current=ind)


def test_national_secretariat_adds_an_indicator_and_it_computes(personas):
    make_case(region="32.12", date=dt.date(2025, 3, 4), child=True)
    make_case(region="32.12", date=dt.date(2025, 3, 9))
    engine.rebuild_all()
    ind = services.indicator_create(actor=personas.national, data=GOOD)
    assert ind.origin == "user"
    assert AuditEvent.objects.filter(action="indicator_create", object_id=ind.code).exists()
    assert one(ind.code, "32.12", Period.month(2025, 3)).value == 50
    assert one(ind.code, "32", Period.whole_year(2025)).value == 50


@pytest.mark.parametrize(
    "change, field, fragment",
    [
        ({"numerator": "victims_identfied"}, "numerator", "tidak dikenal"),
        ({"numerator": "victims_identified[age:elderly]"}, "numerator", "tidak memiliki opsi"),
        ({"numerator": "victims_identified[colour:red]"}, "numerator", "tidak memiliki rincian"),
        ({"numerator": "victims_identified / 0"}, "numerator", "nol"),
        ({"denominator": "0"}, "denominator", "selalu nol"),
        ({"denominator": "(3 - 3)"}, "denominator", "nol"),
        ({"numerator": "victims_identified +"}, "numerator", "tidak sah"),
        ({"numerator": "budget_allocated"}, "period_type", "per tahun"),
        ({"factor": 0}, "factor", "lebih dari 0"),
        ({"min_value": 10, "max_value": 5}, "max_value", "lebih besar"),
        ({"code": "victims_identified"}, "code", "elemen data"),
        ({"code": "spm_health"}, "code", "sudah ada"),
        ({"code": "Bad Code"}, "code", "huruf kecil"),
        ({"name_id": ""}, "name_id", "wajib"),
    ],
)
def test_bad_definitions_are_refused_at_definition_time(personas, change, field, fragment):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(actor=personas.national, data={**GOOD, **change})
    errs = errors_of(exc)
    assert field in errs and fragment in errs[field], errs
    assert not Indicator.objects.filter(
        code=GOOD["code"] if "code" not in change else change["code"], origin="user"
    ).exists()


def test_a_cycle_between_indicators_is_refused(personas):
    a = services.indicator_create(actor=personas.national, data={**GOOD, "code": "ind_a", "numerator": "child_share"})
    b = services.indicator_create(actor=personas.national, data={**GOOD, "code": "ind_b", "numerator": "ind_a + 1"})
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            actor=personas.national, indicator=a, data={"numerator": "ind_b * 2"}, expected_version=a.version
        )
    assert "melingkar" in errors_of(exc)["numerator"] and "ind_a → ind_b → ind_a" in errors_of(exc)["numerator"]
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            actor=personas.national, indicator=b, data={"numerator": "ind_b"}, expected_version=b.version
        )
    assert "dirinya sendiri" in errors_of(exc)["numerator"]
    a.refresh_from_db()
    assert a.numerator == "child_share"


def test_targets_are_range_checked_and_the_most_specific_wins(personas):
    ind = Indicator.objects.get(code="spm_health")
    with pytest.raises(ValidationError) as exc:
        services.indicator_target_set(actor=personas.national, indicator=ind, year=2026, value=120)
    assert "rentang" in errors_of(exc)["value"]
    with pytest.raises(ValidationError):
        services.indicator_target_set(actor=personas.national, indicator=ind, year=1900, value=50)
    services.indicator_target_set(actor=personas.national, indicator=ind, year=2026, value=80)
    services.indicator_target_set(actor=personas.national, indicator=ind, year=2026, value=90, region_code="32")
    assert target_for(ind, 2026, "32.12") == Decimal("90")
    assert target_for(ind, 2026, "53.71") == Decimal("80")
    assert target_for(ind, 2025, "53.71") is None
    services.indicator_target_set(actor=personas.national, indicator=ind, year=2026, value=None, region_code="32")
    assert target_for(ind, 2026, "32.12") == Decimal("80")
    # Narrowing the range below an existing target is refused.
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            actor=personas.national, indicator=ind, data={"max_value": 50}, expected_version=ind.version
        )
    assert "rentang" in errors_of(exc)["min_value"]


def test_only_indicator_editors_may_define_indicators(personas):
    for user in (personas.province, personas.cw_a, personas.executive, personas.gt_kab):
        with pytest.raises(PermissionDenied):
            services.indicator_create(actor=user, data=GOOD)
    ind = Indicator.objects.get(code="spm_health")
    with pytest.raises(PermissionDenied):
        services.indicator_target_set(actor=personas.province, indicator=ind, year=2026, value=80)


def test_zero_denominator_shows_no_data_never_an_error(personas, client_for):
    engine.rebuild_all()  # no cases at all
    assert one("child_share", "32.12", Period.whole_year(2025)).value is None
    r = client_for(personas.national).get("/monitoring/wilayah/32.12/?periode=2025")
    assert r.status_code == 200
    body = r.content.decode()
    assert "tidak ada data" in body and "inf" not in body.lower().replace("info", "")


def test_the_ui_form_adds_an_indicator_and_shows_errors_in_indonesian(personas, client_for):
    c = client_for(personas.national)
    r = c.get("/monitoring/indikator/baru/")
    assert r.status_code == 200 and "Pembilang" in r.content.decode()
    bad = {**GOOD, "numerator": "korban_tidak_ada", "min_value": "", "max_value": "", "decimals": 1}
    r = c.post("/monitoring/indikator/baru/", bad)
    assert r.status_code == 422 and "tidak dikenal" in r.content.decode()
    assert not Indicator.objects.filter(code=GOOD["code"]).exists()
    r = c.post("/monitoring/indikator/baru/", {**GOOD, "min_value": "0", "max_value": "100", "decimals": 1})
    assert r.status_code == 302
    assert Indicator.objects.filter(code=GOOD["code"], origin="user").exists()
    # Others cannot open the form.
    assert client_for(personas.province).get("/monitoring/indikator/baru/").status_code == 403


def test_the_ui_edits_an_indicator_and_sets_a_target(personas, client_for):
    c = client_for(personas.national)
    ind = Indicator.objects.get(code="referral_completion")
    r = c.get(f"/monitoring/indikator/{ind.code}/ubah/")
    assert r.status_code == 200
    data = {f: getattr(ind, f) if getattr(ind, f) is not None else "" for f in services.EDITABLE}
    data.update({"name_id": "Rujukan tuntas", "active": "on", "version": ind.version})
    r = c.post(f"/monitoring/indikator/{ind.code}/ubah/", data)
    assert r.status_code == 302
    ind.refresh_from_db()
    assert ind.name_id == "Rujukan tuntas"
    r = c.post(f"/monitoring/indikator/{ind.code}/target/", {"year": 2026, "value": "75"})
    assert r.status_code == 302
    assert IndicatorTarget.objects.get(indicator=ind, year=2026).value == 75
    r = c.post(f"/monitoring/indikator/{ind.code}/target/", {"year": 2026, "value": "175"}, follow=True)
    assert "rentang" in r.content.decode()
    assert IndicatorTarget.objects.get(indicator=ind, year=2026).value == 75


def test_admin_applies_the_same_definition_checks(personas, client_for):
    admin = client_for(personas.admin)
    r = admin.get("/admin/monitoring/indicator/")
    assert r.status_code == 200
    ind = Indicator.objects.get(code="child_share")
    data = {f: getattr(ind, f) if getattr(ind, f) is not None else "" for f in services.EDITABLE}
    data.update(
        {
            "numerator": "child_share + 1",
            "active": "on",
            "sort": 1,
            "targets-TOTAL_FORMS": 0,
            "targets-INITIAL_FORMS": 0,
        }
    )
    r = admin.post(f"/admin/monitoring/indicator/{ind.pk}/change/", data)
    assert r.status_code == 200 and "dirinya sendiri" in r.content.decode()
    ind.refresh_from_db()
    assert ind.numerator == "victims_identified[age:child]"
