# ruff: noqa: S608 - SQL is assembled from model table names and fixed fragments; every value is a bound parameter.
"""Data elements from gugus.care: services (type, funding, unfunded, 7-day clock), SPM coverage
numerators, rights, shelter bed-days, restitution, the legal track, repatriation, follow-ups.

Region: the kab/kota handling the case (`Case.region`), like every case-level element. Only
counted cases (see elements/cases.py). "Given" services are those in progress or completed.
Cohort elements (marked so in their definition) are placed in the cell of the case's
identification, so that numerator ⊆ denominator in every cell and sums stay correct.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .. import sql
from . import Category, ElementSpec, Filter, SourceUnavailable, code_suffix, marginals
from .cases import _cell_conditions, counted_q, counted_sql

SOURCE = "care"
# extract() yields one row per key, regions already analytics regions (SQL SUBSTR).
NORMALISED = True
CELL_KINDS: set[str] = set()
REGION_WIDE_KINDS = {
    "case",
    "service",
    "shelter_stay",
    "repatriation",
    "reintegration",
    "right",
    "legal",
    "restitution",
    "care",
}

GIVEN = ("in_progress", "completed")
SPM_GROUPS = {
    "complaint": ("complaint_intake", "outreach", "identification_assessment"),
    "health": ("health_physical", "health_psychological", "health_medicolegal", "urgent_first_aid"),
    "social_rehab": ("social_rehabilitation",),
    "spiritual": ("spiritual_guidance",),
    "legal_aid": ("legal_aid",),
    "repatriation": ("repatriation",),
    "reintegration": ("social_reintegration",),
}
SPM_LABELS = {
    "complaint": "Penanganan pengaduan",
    "health": "Layanan kesehatan",
    "social_rehab": "Rehabilitasi sosial",
    "spiritual": "Bimbingan rohani",
    "law_enforcement": "Penegakan hukum",
    "legal_aid": "Bantuan hukum",
    "repatriation": "Pemulangan",
    "reintegration": "Reintegrasi sosial",
}
# Services with the 7-day clock of UU 21/2007 Ps 52(1) and 53.
DEADLINE_TYPES = (
    "health_physical",
    "health_psychological",
    "health_medicolegal",
    "urgent_first_aid",
    "social_rehabilitation",
    "repatriation",
    "social_reintegration",
)
SYSTEM_RIGHTS = ("right.identity_confidentiality", "right.family_identity_confidentiality")
RIGHTS_EXCLUDED_STATUS = ("not_applicable", "refused_by_victim")
DEADLINE_RIGHTS = (
    "health_rehabilitation",
    "social_rehabilitation",
    "repatriation",
    "social_reintegration",
    "urgent_first_aid",
    "lpsk_assistance",
    "protection_from_threats",
)


def _models():
    try:
        from gugus.care import models as m

        for name in (
            "ServiceRecord",
            "ShelterStay",
            "RightEntry",
            "Restitution",
            "RestitutionPayment",
            "LegalCase",
            "LegalEvent",
            "RepatriationLeg",
            "FollowUpVisit",
        ):
            getattr(m, name)
        return m
    except (ImportError, AttributeError) as exc:
        raise SourceUnavailable(f"Model gugus.care belum lengkap: {exc}")


def _codes(list_key: str, extra: tuple = ()) -> tuple[tuple[str, str], ...]:
    from gugus.reference.models import Code

    return tuple(Code.objects.filter(code_list_id=list_key).order_by("sort").values_list("code", "label_id")) + extra


def specs() -> list[ElementSpec]:
    _models()
    service_type = Category("service_type", "Jenis layanan", _codes("service_type"))
    funding = Category("funding", "Sumber dana", _codes("funding_source", (("unrecorded", "Belum dicatat"),)))
    right = Category("right", "Hak", tuple(o for o in _codes("right") if f"right.{o[0]}" not in SYSTEM_RIGHTS))
    deadline_right = Category("right", "Hak", tuple(o for o in _codes("right") if o[0] in DEADLINE_RIGHTS))
    spm = Category("spm", "Layanan SPM", tuple(SPM_LABELS.items()))
    leg = Category("leg", "Tahap pemulangan", _codes("repatriation_leg"))
    verdict = Category(
        "verdict",
        "Amar putusan",
        (("convicted", "Terbukti"), ("acquitted", "Bebas"), ("released", "Lepas"), ("unrecorded", "Belum dicatat")),
    )
    deadline_type = Category(
        "service_type", "Jenis layanan", tuple(o for o in _codes("service_type") if o[0] in DEADLINE_TYPES)
    )
    basis = "kab/kota penanganan kasus"
    days = getattr(settings, "RIGHTS_DEADLINE_DAYS", 7)
    return [
        ElementSpec(
            "services_given",
            "Layanan diberikan",
            "Services given",
            "Catatan layanan yang sedang berjalan atau selesai, menurut tanggal mulai (atau selesai/"
            "permintaan bila kosong).",
            SOURCE,
            region_basis=basis,
            categories=(service_type, funding),
            sort=20,
        ),
        ElementSpec(
            "services_unfunded",
            "Layanan tanpa pendanaan",
            "Unfunded services",
            "Layanan diberikan yang tidak didanai (sumber dana 'tidak ada', atau klaim BPJS/JKN ditolak "
            "tanpa pembayar pengganti).",
            SOURCE,
            region_basis=basis,
            categories=(service_type,),
            sort=21,
        ),
        ElementSpec(
            "services_cost",
            "Biaya layanan (Rp)",
            "Cost of services (IDR)",
            "Jumlah biaya layanan yang diberikan.",
            SOURCE,
            unit="idr",
            region_basis=basis,
            categories=(funding,),
            sort=22,
        ),
        ElementSpec(
            "services_due_7d",
            "Permintaan layanan berbatas 7 hari",
            "Service requests with the 7-day clock",
            "Permintaan layanan kesehatan, pertolongan pertama, rehabilitasi sosial, pemulangan dan "
            "reintegrasi (UU 21/2007 Ps 52(1), 53), menurut tanggal permintaan; tidak termasuk yang "
            "dibatalkan.",
            SOURCE,
            region_basis=basis,
            categories=(deadline_type,),
            sort=23,
        ),
        ElementSpec(
            "services_timely_7d",
            "Layanan dimulai ≤ 7 hari sejak permintaan",
            "Services started within 7 days of request",
            f"Dari permintaan berbatas 7 hari: yang dimulai (atau selesai) paling lambat {days} hari "
            "kalender sejak permintaan. Kohort bulan permintaan.",
            SOURCE,
            region_basis=basis,
            categories=(deadline_type,),
            sort=24,
        ),
        ElementSpec(
            "cases_served",
            "Kasus yang menerima layanan SPM",
            "Cases receiving SPM services",
            "Kohort: kasus teridentifikasi pada bulan itu yang (sampai sekarang) menerima layanan SPM: "
            "pengaduan/asesmen, kesehatan, rehabilitasi sosial, bimbingan rohani, bantuan hukum, "
            "pemulangan (layanan atau tahap pemulangan selesai), reintegrasi sosial, penegakan hukum "
            "(laporan polisi atau tahap perkara). Satu kasus dihitung sekali per kelompok.",
            SOURCE,
            region_basis=basis + " (bulan identifikasi)",
            categories=(spm,),
            sort=25,
        ),
        ElementSpec(
            "rights_applicable",
            "Hak yang berlaku",
            "Rights applicable",
            "Kohort: baris daftar hak kasus teridentifikasi pada bulan itu, selain 'tidak berlaku', "
            "'ditolak korban' dan hak kerahasiaan yang dipenuhi sistem.",
            SOURCE,
            region_basis=basis + " (bulan identifikasi)",
            categories=(right,),
            sort=26,
        ),
        ElementSpec(
            "rights_fulfilled",
            "Hak terpenuhi",
            "Rights fulfilled",
            "Kohort: dari hak yang berlaku, yang berstatus terpenuhi.",
            SOURCE,
            region_basis=basis + " (bulan identifikasi)",
            categories=(right,),
            sort=27,
        ),
        ElementSpec(
            "rights_due_7d",
            "Hak berbatas 7 hari yang dimohon",
            "Rights with the 7-day clock applied for",
            "Hak berbatas waktu (Ps 52(1), 53; LPSK) menurut tanggal permohonan.",
            SOURCE,
            region_basis=basis,
            categories=(deadline_right,),
            sort=28,
        ),
        ElementSpec(
            "rights_timely_7d",
            "Hak terpenuhi tepat waktu",
            "Rights fulfilled on time",
            "Dari hak berbatas waktu yang dimohon: terpenuhi paling lambat pada batas waktunya "
            "(hari kalender atau hari kerja menurut pengaturan).",
            SOURCE,
            region_basis=basis,
            categories=(deadline_right,),
            sort=29,
        ),
        ElementSpec(
            "shelter_bed_days",
            "Hari rawat rumah aman",
            "Shelter bed-days",
            "Malam menginap di rumah aman/penampungan, dibagi per bulan (masa tinggal yang belum "
            "selesai dihitung sampai hari ini; masuk dan keluar pada hari yang sama = 1).",
            SOURCE,
            unit="days",
            region_basis=basis,
            sort=30,
        ),
        ElementSpec(
            "shelter_admissions",
            "Penerimaan di rumah aman",
            "Shelter admissions",
            "Masa tinggal yang dimulai pada bulan itu.",
            SOURCE,
            region_basis=basis,
            sort=31,
        ),
        ElementSpec(
            "restitution_ordered",
            "Restitusi diputus (Rp)",
            "Restitution ordered (IDR)",
            "Jumlah restitusi yang diputus/ditetapkan, menurut tanggal putusan.",
            SOURCE,
            unit="idr",
            region_basis=basis,
            sort=32,
        ),
        ElementSpec(
            "restitution_ordered_cases",
            "Kasus dengan putusan restitusi",
            "Cases with restitution ordered",
            "Jumlah kasus dengan putusan restitusi, menurut tanggal putusan.",
            SOURCE,
            region_basis=basis,
            sort=33,
        ),
        ElementSpec(
            "restitution_paid_of_ordered",
            "Restitusi dibayar atas putusan (Rp)",
            "Restitution paid of that ordered (IDR)",
            "Kohort: jumlah yang sudah dibayar atas restitusi yang diputus pada bulan itu.",
            SOURCE,
            unit="idr",
            region_basis=basis + " (bulan putusan)",
            sort=34,
        ),
        ElementSpec(
            "restitution_paid",
            "Restitusi dibayar (Rp)",
            "Restitution paid (IDR)",
            "Pembayaran restitusi menurut tanggal bayar.",
            SOURCE,
            unit="idr",
            region_basis=basis,
            sort=35,
        ),
        ElementSpec(
            "police_reports",
            "Laporan polisi",
            "Police reports",
            "Kasus dengan laporan polisi, menurut tanggal laporan.",
            SOURCE,
            region_basis=basis,
            sort=36,
        ),
        ElementSpec(
            "verdicts",
            "Putusan pengadilan",
            "Court verdicts",
            "Tahap perkara 'putusan', menurut tanggal.",
            SOURCE,
            region_basis=basis,
            categories=(verdict,),
            sort=37,
        ),
        ElementSpec(
            "repatriation_legs_completed",
            "Tahap pemulangan selesai",
            "Repatriation legs completed",
            "Tahap pemulangan berstatus selesai, menurut tanggal tiba.",
            SOURCE,
            region_basis=basis,
            categories=(leg,),
            sort=38,
        ),
        ElementSpec(
            "followups_due",
            "Kunjungan tindak lanjut jatuh tempo",
            "Follow-up visits due",
            "Kunjungan pasca-reintegrasi yang jatuh tempo (sampai hari ini), menurut tanggal jatuh tempo.",
            SOURCE,
            region_basis=basis,
            sort=39,
        ),
        ElementSpec(
            "followups_done",
            "Kunjungan tindak lanjut dilakukan",
            "Follow-up visits done",
            "Kohort: dari kunjungan yang jatuh tempo, yang sudah dilakukan.",
            SOURCE,
            region_basis=basis,
            sort=40,
        ),
    ]


def _case_filter(flt: Filter, col: str, date_col: str | None = None) -> tuple[str, list]:
    """`col IN (counted cases of the cell's region)` for a refresh; '' for everything."""
    from gugus.cases.models import Case

    if flt.everything:
        return "", []
    cond, p = _cell_conditions(Filter(flt.region, 0), ["c3.region_id"], "c3.identification_date")
    return f" AND {col} IN (SELECT c3.id FROM {sql.table(Case)} c3 WHERE {cond})", p


def extract(flt: Filter):
    m = _models()
    from gugus.cases.models import Case

    c = sql.table(Case)
    counted, cp = counted_sql("c")
    region = sql.region_or_constant("c.region_id", flt.region)
    acc: dict = {}

    def add(element, reg, period, dims, value):
        if period is None or not value:
            return
        marginals((reg, int(period)), dims, float(value), acc, element)

    # Services: one pass for given services (by the month given, type, funding, unfunded, cost) and
    # the 7-day clock (requests with the clock, by the month requested, started in time or not).
    s = sql.table(m.ServiceRecord)
    cf, cfp = _case_filter(flt, "s.case_id")
    given_in, given_p = sql.in_list(GIVEN)
    days = int(getattr(settings, "RIGHTS_DEADLINE_DAYS", 7))
    types_in, types_p = sql.in_list(f"service_type.{t}" for t in DEADLINE_TYPES)
    given_month = sql.month_of("COALESCE(s.started_on, s.completed_on, s.requested_on)")
    started = "COALESCE(s.started_on, s.completed_on)"
    is_given = f"CASE WHEN s.status IN {given_in} THEN 1 ELSE 0 END"
    is_due = f"CASE WHEN s.status <> %s AND s.service_type_id IN {types_in} THEN 1 ELSE 0 END"
    is_timely = (
        f"CASE WHEN s.status <> %s AND s.service_type_id IN {types_in} AND {started} IS NOT NULL "
        f"AND {sql.days_between(started, 's.requested_on')} <= %s THEN 1 ELSE 0 END"
    )
    type_keys: dict = {}
    fund_keys: dict = {}
    for reg, gmonth, rmonth, stype, fund, unfunded, given, due, timely, n, cost in sql.fetch(
        f"SELECT {region}, {given_month}, {sql.month_of('s.requested_on')}, s.service_type_id, "
        f"s.funding_source_id, s.unfunded, {is_given}, {is_due}, {is_timely}, COUNT(*), SUM(COALESCE(s.cost, 0)) "
        f"FROM {s} s JOIN {c} c ON c.id = s.case_id "
        f"WHERE {counted} AND (s.status IN {given_in} OR (s.status <> %s AND s.service_type_id IN {types_in})){cf} "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
        given_p
        + ["cancelled"]
        + types_p
        + ["cancelled"]
        + types_p
        + [days]
        + cp
        + given_p
        + ["cancelled"]
        + types_p
        + cfp,
    ):
        # The hottest loop of a rebuild (about one grouped row per service): plain dict updates
        # with the disaggregation keys built once per code, same result as add()/marginals().
        t = type_keys.get(stype)
        if t is None:
            t = type_keys[stype] = "service_type:" + code_suffix(stype)
        if given and gmonth is not None:
            f = fund_keys.get(fund)
            if f is None:
                f = fund_keys[fund] = "funding:" + code_suffix(fund, "unrecorded")
            gm = int(gmonth)
            n = float(n)
            for k in (("services_given", reg, gm, ""), ("services_given", reg, gm, t), ("services_given", reg, gm, f)):
                acc[k] = acc.get(k, 0.0) + n
            if cost:
                cost = float(cost)
                for k in (("services_cost", reg, gm, ""), ("services_cost", reg, gm, f)):
                    acc[k] = acc.get(k, 0.0) + cost
            if unfunded:
                for k in (("services_unfunded", reg, gm, ""), ("services_unfunded", reg, gm, t)):
                    acc[k] = acc.get(k, 0.0) + n
        if due and rmonth is not None:
            rm = int(rmonth)
            n = float(n)
            for k in (("services_due_7d", reg, rm, ""), ("services_due_7d", reg, rm, t)):
                acc[k] = acc.get(k, 0.0) + n
            if timely:
                for k in (("services_timely_7d", reg, rm, ""), ("services_timely_7d", reg, rm, t)):
                    acc[k] = acc.get(k, 0.0) + n
    # SPM coverage numerators (cohort of the case's identification cell): one flag per case and
    # group, from one pass over the services grouped by case, then summed per cell.
    groups = list(SPM_GROUPS)
    flags = ", ".join(
        f"MAX(CASE WHEN s.service_type_id IN ({', '.join(['%s'] * len(SPM_GROUPS[g]))}) THEN 1 ELSE 0 END) AS f_{g}"
        for g in groups
    )
    flag_params = [f"service_type.{t}" for g in groups for t in SPM_GROUPS[g]]
    leg, lc, le = sql.table(m.RepatriationLeg), sql.table(m.LegalCase), sql.table(m.LegalEvent)
    cell, cell_p = ("", [])
    if not flt.everything:
        from .cases import _cell_conditions

        cond, cell_p = _cell_conditions(Filter(flt.region, 0), ["c.region_id"], "c.identification_date")
        cell = f" AND {cond}"
    law = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {lc} lc WHERE lc.case_id = c.id AND lc.police_report_date IS NOT NULL) "
        f"OR EXISTS (SELECT 1 FROM {le} e WHERE e.case_id = c.id) THEN 1 ELSE 0 END"
    )
    sums = ", ".join(f"SUM(t.g{i})" for i in range(len(groups) + 1))
    exprs = []
    for g in groups:
        if g == "repatriation":
            exprs.append(
                f"CASE WHEN COALESCE(x.f_repatriation, 0) = 1 OR EXISTS (SELECT 1 FROM {leg} l "
                f"WHERE l.case_id = c.id AND l.status = %s) THEN 1 ELSE 0 END"
            )
        else:
            exprs.append(f"COALESCE(x.f_{g}, 0)")
    exprs.append(law)
    inner = ", ".join(f"{e} AS g{i}" for i, e in enumerate(exprs))
    per_case = f"SELECT s.case_id, {flags} FROM {s} s WHERE s.status IN {given_in}{cf} GROUP BY s.case_id"
    rows = sql.fetch(
        f"SELECT t.region, t.month, {sums} FROM (SELECT {region} AS region, "
        f"{sql.month_of('c.identification_date')} AS month, {inner} FROM {c} c LEFT JOIN ({per_case}) x "
        f"ON x.case_id = c.id WHERE {counted}{cell}) t GROUP BY t.region, t.month",
        ["completed"] + flag_params + given_p + cfp + cp + cell_p,
    )
    for reg, period, *counts in rows:
        for g, n in zip([*groups, "law_enforcement"], counts, strict=True):
            if n:
                add("cases_served", reg, period, {"spm": g}, n)
    cf_leg, cfp_leg = _case_filter(flt, "l.case_id")
    cf_lc, cfp_lc = _case_filter(flt, "lc.case_id")
    cf_le, cfp_le = _case_filter(flt, "e.case_id")
    # Rights (cohort of identification), and the 7-day rights by application month.
    r = sql.table(m.RightEntry)
    cf_r, cfp_r = _case_filter(flt, "r.case_id")
    excl_in, excl_p = sql.in_list(RIGHTS_EXCLUDED_STATUS)
    sys_in, sys_p = sql.in_list(SYSTEM_RIGHTS)
    for reg, period, right, status, n in sql.fetch(
        f"SELECT {region}, {sql.month_of('c.identification_date')}, r.right_id, r.status, COUNT(*) FROM {r} r "
        f"JOIN {c} c ON c.id = r.case_id WHERE {counted} AND r.status NOT IN {excl_in} "
        f"AND r.right_id NOT IN {sys_in}{cf_r} GROUP BY 1, 2, 3, 4",
        cp + excl_p + sys_p + cfp_r,
    ):
        rc = code_suffix(right)
        add("rights_applicable", reg, period, {"right": rc}, n)
        if status == "fulfilled":
            add("rights_fulfilled", reg, period, {"right": rc}, n)
    dl_in, dl_p = sql.in_list(f"right.{x}" for x in DEADLINE_RIGHTS)
    for reg, period, right, n, timely in sql.fetch(
        f"SELECT {region}, {sql.month_of('r.applied_on')}, r.right_id, COUNT(*), "
        f"SUM(CASE WHEN r.status = %s AND r.fulfilled_on IS NOT NULL AND r.fulfilled_on <= r.due_on THEN 1 ELSE 0 END) "
        f"FROM {r} r JOIN {c} c ON c.id = r.case_id WHERE {counted} AND r.applied_on IS NOT NULL "
        f"AND r.due_on IS NOT NULL AND r.status NOT IN {excl_in} AND r.right_id IN {dl_in}{cf_r} GROUP BY 1, 2, 3",
        ["fulfilled"] + cp + excl_p + dl_p + cfp_r,
    ):
        rc = code_suffix(right)
        add("rights_due_7d", reg, period, {"right": rc}, n)
        add("rights_timely_7d", reg, period, {"right": rc}, timely)
    # Shelter: bed-days split by month, admissions.
    st = sql.table(m.ShelterStay)
    cf_st, cfp_st = _case_filter(flt, "st.case_id")
    today = timezone.localdate()
    for reg, admitted, discharged in sql.fetch(
        f"SELECT {region}, st.admitted_on, st.discharged_on FROM {st} st JOIN {c} c ON c.id = st.case_id "
        f"WHERE {counted}{cf_st}",
        cp + cfp_st,
    ):
        admitted, discharged = _as_date(admitted), _as_date(discharged)
        if admitted is None:
            continue
        add("shelter_admissions", reg, admitted.year * 100 + admitted.month, {}, 1)
        for key, nights in bed_days_by_month(admitted, discharged, today).items():
            add("shelter_bed_days", reg, key, {}, nights)
    # Restitution.
    rs = sql.table(m.Restitution)
    cf_rs, cfp_rs = _case_filter(flt, "rs.case_id")
    for reg, period, n, ordered, paid in sql.fetch(
        f"SELECT {region}, {sql.month_of('rs.ordered_on')}, COUNT(*), SUM(rs.ordered_amount), SUM(rs.paid_amount) "
        f"FROM {rs} rs JOIN {c} c ON c.id = rs.case_id WHERE {counted} AND rs.ordered_on IS NOT NULL "
        f"AND rs.ordered_amount IS NOT NULL{cf_rs} GROUP BY 1, 2",
        cp + cfp_rs,
    ):
        add("restitution_ordered_cases", reg, period, {}, n)
        add("restitution_ordered", reg, period, {}, ordered)
        add("restitution_paid_of_ordered", reg, period, {}, paid)
    rp = sql.table(m.RestitutionPayment)
    cf_rp, cfp_rp = _case_filter(flt, "rp.case_id")
    for reg, period, amount in sql.fetch(
        f"SELECT {region}, {sql.month_of('rp.paid_on')}, SUM(rp.amount) FROM {rp} rp JOIN {c} c ON c.id = rp.case_id "
        f"WHERE {counted}{cf_rp} GROUP BY 1, 2",
        cp + cfp_rp,
    ):
        add("restitution_paid", reg, period, {}, amount)
    # Legal track.
    for reg, period, n in sql.fetch(
        f"SELECT {region}, {sql.month_of('lc.police_report_date')}, COUNT(*) FROM {lc} lc JOIN {c} c "
        f"ON c.id = lc.case_id WHERE {counted} AND lc.police_report_date IS NOT NULL{cf_lc} GROUP BY 1, 2",
        cp + cfp_lc,
    ):
        add("police_reports", reg, period, {}, n)
    for reg, period, verdict, n in sql.fetch(
        f"SELECT {region}, {sql.month_of('e.date')}, e.verdict, COUNT(*) FROM {le} e JOIN {c} c ON c.id = e.case_id "
        f"WHERE {counted} AND e.stage_id = %s{cf_le} GROUP BY 1, 2, 3",
        cp + ["legal_stage.verdict"] + cfp_le,
    ):
        add("verdicts", reg, period, {"verdict": verdict or "unrecorded"}, n)
    # Repatriation legs completed.
    for reg, period, legtype, n in sql.fetch(
        f"SELECT {region}, {sql.month_of('l.arrived_on')}, l.leg_type_id, COUNT(*) FROM {leg} l JOIN {c} c "
        f"ON c.id = l.case_id WHERE {counted} AND l.status = %s AND l.arrived_on IS NOT NULL{cf_leg} GROUP BY 1, 2, 3",
        cp + ["completed"] + cfp_leg,
    ):
        add("repatriation_legs_completed", reg, period, {"leg": code_suffix(legtype)}, n)
    # Follow-up visits due up to today, and done.
    fu = sql.table(m.FollowUpVisit)
    cf_fu, cfp_fu = _case_filter(flt, "f.case_id")
    for reg, period, n, done in sql.fetch(
        f"SELECT {region}, {sql.month_of('f.due_on')}, COUNT(*), SUM(CASE WHEN f.visited_on IS NOT NULL THEN 1 ELSE 0 END) "
        f"FROM {fu} f JOIN {c} c ON c.id = f.case_id WHERE {counted} AND f.due_on <= %s{cf_fu} GROUP BY 1, 2",
        cp + [today] + cfp_fu,
    ):
        add("followups_due", reg, period, {}, n)
        add("followups_done", reg, period, {}, done)
    for (element, reg, period, disagg), value in acc.items():
        yield element, reg, period, disagg, value


def _as_date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def bed_days_by_month(admitted: dt.date, discharged: dt.date | None, today: dt.date) -> dict[int, int]:
    """Nights of a stay per month key; a same-day stay counts one; open stays run to today."""
    end = discharged if discharged is not None else today
    if end < admitted:
        return {}
    if end == admitted:
        return {admitted.year * 100 + admitted.month: 1}
    out: dict[int, int] = {}
    day = admitted
    while day < end:
        nxt_month = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        stop = min(nxt_month, end)
        out[day.year * 100 + day.month] = out.get(day.year * 100 + day.month, 0) + (stop - day).days
        day = stop
    return out


# ---------------------------------------------------------------- drill-through


def records(spec, disagg, region_code, period):
    """Cases behind a care figure (the case list is what a drill-through shows)."""
    from django.db.models import Q

    from gugus.cases.models import Case

    from .cases import analytics_region_q

    m = _models()
    base = Case.objects.filter(counted_q(), analytics_region_q("region_id", region_code))
    start, end = period.start, period.end
    cat, _, opt = disagg.partition(":")
    if spec.code in ("services_given", "services_unfunded", "services_cost"):
        q = Q(status__in=GIVEN)
        qs = m.ServiceRecord.objects.filter(q).filter(
            Q(started_on__range=(start, end))
            | Q(started_on__isnull=True, completed_on__range=(start, end))
            | Q(started_on__isnull=True, completed_on__isnull=True, requested_on__range=(start, end))
        )
        if spec.code == "services_unfunded":
            qs = qs.filter(unfunded=True)
        if cat == "service_type":
            qs = qs.filter(service_type_id=f"service_type.{opt}")
        if cat == "funding":
            qs = (
                qs.filter(funding_source__isnull=True)
                if opt == "unrecorded"
                else qs.filter(funding_source_id=f"funding_source.{opt}")
            )
        return base.filter(pk__in=qs.values("case_id"))
    if spec.code in ("services_due_7d", "services_timely_7d"):
        qs = m.ServiceRecord.objects.exclude(status="cancelled").filter(
            requested_on__range=(start, end), service_type_id__in=[f"service_type.{t}" for t in DEADLINE_TYPES]
        )
        if cat == "service_type":
            qs = qs.filter(service_type_id=f"service_type.{opt}")
        return base.filter(pk__in=qs.values("case_id"))
    if spec.code == "cases_served":
        cohort = base.filter(identification_date__range=(start, end))
        if opt == "law_enforcement":
            return cohort.filter(
                Q(legal_case__police_report_date__isnull=False) | Q(legal_events__isnull=False)
            ).distinct()
        types = (
            [f"service_type.{t}" for t in SPM_GROUPS.get(opt, ())]
            if opt
            else [f"service_type.{t}" for ts in SPM_GROUPS.values() for t in ts]
        )
        q = Q(care_services__status__in=GIVEN, care_services__service_type_id__in=types)
        if opt in ("repatriation", ""):
            q |= Q(repatriation_legs__status="completed")
        return cohort.filter(q).distinct()
    if spec.code in ("rights_applicable", "rights_fulfilled"):
        return base.filter(identification_date__range=(start, end))
    if spec.code in ("rights_due_7d", "rights_timely_7d"):
        return base.filter(rights__applied_on__range=(start, end)).distinct()
    if spec.code in ("shelter_bed_days", "shelter_admissions"):
        return (
            base.filter(shelter_stays__admitted_on__lte=end)
            .filter(Q(shelter_stays__discharged_on__isnull=True) | Q(shelter_stays__discharged_on__gte=start))
            .distinct()
        )
    if spec.code in ("restitution_ordered", "restitution_ordered_cases", "restitution_paid_of_ordered"):
        return base.filter(restitution__ordered_on__range=(start, end))
    if spec.code == "restitution_paid":
        return base.filter(restitution_payments__paid_on__range=(start, end)).distinct()
    if spec.code == "police_reports":
        return base.filter(legal_case__police_report_date__range=(start, end))
    if spec.code == "verdicts":
        return base.filter(
            legal_events__stage_id="legal_stage.verdict", legal_events__date__range=(start, end)
        ).distinct()
    if spec.code == "repatriation_legs_completed":
        return base.filter(
            repatriation_legs__status="completed", repatriation_legs__arrived_on__range=(start, end)
        ).distinct()
    if spec.code in ("followups_due", "followups_done"):
        return base.filter(followups__due_on__range=(start, end)).distinct()
    return None
