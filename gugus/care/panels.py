"""Sections of the case file (registered in CareConfig.ready) and of the region portrait.

Each panel renders `care/panels/<key>.html` from this app's selectors; "" when the user may not
see it. The same functions render the care page of a case and answer htmx form posts.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gugus.accounts.scope import scope_for
from gugus.cases.models import Case, Perpetrator
from gugus.cases.selectors import can_view_identity

from . import selectors
from .access import ALL, OWN, care_access_many, user_org_ids
from .forms import (
    CODE_CACHE_SECONDS,
    AdmitForm,
    DischargeForm,
    LegalCaseForm,
    LegalEventForm,
    LegForm,
    PaymentForm,
    PlanForm,
    RestitutionForm,
    RightForm,
    ServiceForm,
    VisitForm,
)
from .models import PlanStatus, RightStatus

PANELS = ("services", "shelter", "repatriation", "reintegration", "rights", "legal")


CASE_PERMS = ("service.view", "service.edit", "legal.view", "legal.edit")


def access(request, case: Case, perm: str) -> str | None:
    """care_access, cached on the request: the four permissions a case page asks about are
    answered together the first time (one query instead of two per question)."""
    cache = request.__dict__.setdefault("_care_access", {})
    key = (case.pk, perm)
    if key not in cache:
        perms = CASE_PERMS if perm in CASE_PERMS else (perm,)
        for p, reach in care_access_many(request.user, case, perms).items():
            cache[(case.pk, p)] = reach
    return cache[key]


def asker(request, case: Case):
    """`access` as the one-argument callable the selectors take."""
    return lambda perm: access(request, case, perm)


def can_view(request, case, perm="service.view") -> bool:
    return access(request, case, perm) is not None


def can_edit(request, case, perm="service.edit") -> bool:
    return access(request, case, perm) in (ALL, OWN)


def _render(request, key: str, ctx: dict) -> str:
    return render_to_string(f"care/panels/{key}.html", {"case": ctx["case"], **ctx}, request=request)


# A panel renders its records and, for each form, either the form itself (the care page of a
# case, or a form sent back with errors) or — `lazy`, on the case file — a button that fetches
# the form on demand (`care:case_form`). Building the forms (a select of every organisation,
# code lists, occupancy of every shelter) was most of the cost of the case file.


def services_context(request, case, form=None, lazy=False) -> dict | None:
    if not can_view(request, case):
        return None
    editable = can_edit(request, case)
    if form is None and editable and not lazy:
        form = build_form(request, case, "layanan")["form"]
    return {
        "case": case,
        "records": list(selectors.services_for_case(request.user, case, asker(request, case))),
        "can_edit": editable,
        "form": form,
        "open_form": bool(form is not None and form.is_bound),
    }


def shelter_context(request, case, form=None, discharge_forms=None, lazy=False) -> dict | None:
    if not can_view(request, case):
        return None
    editable = can_edit(request, case)
    stays = list(selectors.stays_for_case(request.user, case, asker(request, case)))
    orgs = user_org_ids(request.user)
    may_locate = None
    for s in stays:
        s.may_locate = False
        if s.is_open and s.shelter.secret_location:
            if may_locate is None and s.shelter_id not in orgs:
                may_locate = can_view_identity(request.user, case)
            s.may_locate = s.shelter_id in orgs or bool(may_locate)
        s.discharge_form = (discharge_forms or {}).get(s.pk)
        if s.discharge_form is None and editable and s.is_open and not lazy:
            s.discharge_form = _discharge_form(s)
    if form is None and editable and not lazy:
        form = build_form(request, case, "rumah-aman")["form"]
    elif form is not None:
        _label_shelters(request, form)
    return {
        "case": case,
        "stays": stays,
        "can_edit": editable,
        "form": form,
        "open_form": bool(form is not None and form.is_bound),
    }


def _discharge_form(stay) -> DischargeForm:
    return DischargeForm(initial={"version": stay.version, "discharged_on": _today()}, prefix=f"d{stay.pk.hex[:8]}")


def _label_shelters(request, form) -> None:
    shelters = {o.pk: o for o in selectors.shelters_visible_to(request.user)}
    form.fields["shelter"].label_from_instance = lambda o: _shelter_label(shelters.get(o.pk), o)


def _shelter_label(row, org) -> str:
    if row is None:
        return org.name
    cap = "?" if row.capacity is None else row.capacity
    return f"{org.name} — terisi {row.occupied}/{cap}"


def repatriation_context(request, case, form=None, lazy=False) -> dict | None:
    if not can_view(request, case):
        return None
    editable = can_edit(request, case)
    if form is None and editable and not lazy:
        form = LegForm()
    return {
        "case": case,
        "legs": list(selectors.legs_for_case(request.user, case, asker(request, case))),
        "can_edit": editable,
        "form": form,
        "open_form": bool(form is not None and form.is_bound),
        "escort_needed": case.is_child,
        "countries": country_choices() if form is not None else [],
    }


_COUNTRIES: dict = {}


def country_choices() -> list[tuple[str, str]]:
    """(code, Indonesian name) of every country, kept a minute (reference data)."""
    from gugus.reference.models import Country

    now = time.monotonic()
    hit = _COUNTRIES.get("all")
    if hit is None or now - hit[0] > CODE_CACHE_SECONDS:
        hit = (now, list(Country.objects.values_list("code", "name_id")))
        _COUNTRIES["all"] = hit
    return hit[1]


def _visit_form(v, plan, today) -> VisitForm:
    return VisitForm(
        initial={
            "version": v.version,
            "visited_on": v.visited_on or min(today, max(v.due_on, plan.return_on)),
            "outcome": v.outcome,
            "note": v.note,
        },
        prefix=f"v{v.pk.hex[:8]}",
    )


def reintegration_context(request, case, form=None, visit_forms=None, lazy=False) -> dict | None:
    if not can_view(request, case):
        return None
    editable = can_edit(request, case)
    plan = selectors.plan_for_case(request.user, case, asker(request, case))
    visits = []
    today = _today()
    if plan is not None:
        visits = list(plan.visits.order_by("month"))
        for v in visits:
            v.overdue = v.visited_on is None and v.due_on < today and plan.status == "active"
            v.form = (visit_forms or {}).get(v.pk)
            if v.form is None and editable and not lazy:
                v.form = _visit_form(v, plan, today)
    elif form is None and editable and not lazy:
        form = PlanForm(initial={"return_on": today})
    return {
        "case": case,
        "plan": plan,
        "visits": visits,
        "can_edit": editable,
        "status_choices": PlanStatus.choices,
        "form": form,
        "open_form": bool(form is not None and form.is_bound),
    }


def rights_context(request, case, form=None, lazy=False) -> dict | None:
    ask = asker(request, case)
    if not selectors.can_see_rights(request.user, case, ask):
        return None
    rights = selectors.rights_for_case(request.user, case, ask)
    today = _today()
    editable = selectors.can_edit_rights(request.user, case, ask)
    if form is None and editable and not lazy:
        form = RightForm()
    return {
        "case": case,
        "rights": rights,
        "today": today,
        "can_edit": editable,
        "form": form,
        "open_form": bool(form is not None and form.is_bound),
        "overdue": sum(1 for r in rights if r.overdue(today)),
        "fulfilled": sum(1 for r in rights if r.status == RightStatus.FULFILLED),
    }


LEGAL_CASE_FIELDS = (
    "police_report_number",
    "police_report_date",
    "police_unit",
    "prosecutor_org",
    "court_org",
    "lpsk_protection",
    "lpsk_applied_on",
    "lpsk_decided_on",
    "version",
)
RESTITUTION_FIELDS = (
    "requested_on",
    "requested_amount",
    "lpsk_assessed_on",
    "lpsk_assessed_amount",
    "ordered_on",
    "ordered_amount",
    "version",
)


def _perpetrators(case) -> list[Perpetrator]:
    return list(Perpetrator.objects.filter(case=case).order_by("created_at").only("id", "role", "created_at"))


def _legal_case_form(legal) -> LegalCaseForm:
    initial = {"lpsk_protection": "none"}
    if legal is not None:
        initial = {f: getattr(legal, f) for f in LEGAL_CASE_FIELDS}
    return LegalCaseForm(initial=initial)


def _restitution_form(restitution) -> RestitutionForm:
    initial = {}
    if restitution is not None:
        initial = {f: getattr(restitution, f) for f in RESTITUTION_FIELDS}
    return RestitutionForm(initial=initial)


def legal_context(
    request, case, event_form=None, case_form=None, restitution_form=None, payment_form=None, lazy=False
) -> dict | None:
    if not can_view(request, case, "legal.view"):
        return None
    ask = asker(request, case)
    legal = selectors.legal_for_case(request.user, case, ask)
    events = list(selectors.legal_events_for_case(request.user, case, ask))
    restitution = selectors.restitution_for_case(request.user, case, ask)
    editable = can_edit(request, case, "legal.edit")
    perps = _perpetrators(case) if events or (editable and not lazy) else []
    numbering = {p.pk: i for i, p in enumerate(perps, start=1)}
    for ev in events:
        ev.suspect_labels = [f"Terduga pelaku {numbering.get(p.pk, '?')}" for p in ev.suspects.all()]
    if editable and not lazy:
        event_form = event_form or LegalEventForm(perpetrators=perps, initial={"date": _today()})
        case_form = case_form or _legal_case_form(legal)
        restitution_form = restitution_form or _restitution_form(restitution)
        payment_form = payment_form or PaymentForm(initial={"paid_on": _today()})
    return {
        "case": case,
        "legal": legal,
        "events": events,
        "restitution": restitution,
        "can_edit": editable,
        "restitution_overdue": bool(restitution and restitution.is_overdue(_today())),
        "event_form": event_form,
        "case_form": case_form,
        "restitution_form": restitution_form,
        "payment_form": payment_form,
        "open": {
            "event": bool(event_form is not None and event_form.is_bound),
            "case": bool(case_form is not None and case_form.is_bound),
            "restitution": bool(restitution_form is not None and restitution_form.is_bound),
            "payment": bool(payment_form is not None and payment_form.is_bound),
        },
    }


CONTEXTS = {
    "services": services_context,
    "shelter": shelter_context,
    "repatriation": repatriation_context,
    "reintegration": reintegration_context,
    "rights": rights_context,
    "legal": legal_context,
}


def render_panel(request, case, key: str, lazy: bool = False, **forms) -> str:
    ctx = CONTEXTS[key](request, case, lazy=lazy, **forms)
    return "" if ctx is None else _render(request, key, ctx)


# ---------------------------------------------------------------- forms on demand


@dataclass(frozen=True)
class FormKind:
    panel: str  # the panel (and its element id) the form's post answers with
    case_perm: str  # the case must be visible with it (as for the form's post)
    summary: str
    record: bool = False  # the form belongs to one record of the case (its id in the URL)


FORM_KINDS = {
    "layanan": FormKind("services", "service.edit", "Catat layanan"),
    "rumah-aman": FormKind("shelter", "service.edit", "Terima di rumah aman/shelter"),
    "keluar": FormKind("shelter", "service.edit", "Catat keluar", record=True),
    "pemulangan": FormKind("repatriation", "service.edit", "Tambah tahap pemulangan"),
    "reintegrasi": FormKind(
        "reintegration",
        "service.edit",
        "Buat rencana reintegrasi (kunjungan bulan ke-1, 3, 6, 12 dibuat otomatis)",
    ),
    "kunjungan": FormKind("reintegration", "service.edit", "Catat kunjungan", record=True),
    "hak": FormKind("rights", "victim.view", "Tetapkan status hak / tanggal permohonan"),
    "hukum-tahap": FormKind("legal", "legal.edit", "Tambah tahap perkara"),
    "hukum": FormKind("legal", "legal.edit", "Data perkara dan perlindungan LPSK"),
    "restitusi": FormKind("legal", "legal.edit", "Data restitusi"),
    "restitusi-bayar": FormKind("legal", "legal.edit", "Catat pembayaran restitusi"),
}


def build_form(request, case, kind: str, record_id=None) -> dict:
    """The unbound form `kind` of this case with where it posts: {form, action, target, summary,
    countries}. Http404 when the user may not use it (the same answer as its post would give)."""
    spec = FORM_KINDS.get(kind)
    if spec is None or bool(record_id) != spec.record:
        raise Http404
    user, ask = request.user, asker(request, case)
    today = _today()
    out = {"target": f"#care-{spec.panel}", "summary": spec.summary, "countries": []}
    if spec.panel == "rights":
        if not selectors.can_edit_rights(user, case, ask):
            raise Http404
    elif not can_edit(request, case, spec.case_perm):
        raise Http404
    if kind == "layanan":
        form, action = ServiceForm(initial={"requested_on": today}), reverse("care:service_add", args=[case.pk])
    elif kind == "rumah-aman":
        form, action = AdmitForm(initial={"admitted_on": today}), reverse("care:admit", args=[case.pk])
        _label_shelters(request, form)
    elif kind == "keluar":
        stay = next((s for s in selectors.stays_for_case(user, case, ask) if str(s.pk) == str(record_id)), None)
        if stay is None or not stay.is_open:
            raise Http404
        form, action = _discharge_form(stay), reverse("care:discharge", args=[stay.pk])
    elif kind == "pemulangan":
        form, action = LegForm(), reverse("care:leg_add", args=[case.pk])
        out["countries"] = country_choices()
    elif kind == "reintegrasi":
        if selectors.plan_for_case(user, case, ask) is not None:
            raise Http404
        form, action = PlanForm(initial={"return_on": today}), reverse("care:plan_add", args=[case.pk])
    elif kind == "kunjungan":
        plan = selectors.plan_for_case(user, case, ask)
        visit = plan.visits.filter(pk=record_id).first() if plan is not None else None
        if visit is None:
            raise Http404
        form, action = _visit_form(visit, plan, today), reverse("care:visit", args=[visit.pk])
        out["summary"] = "Koreksi" if visit.visited_on else spec.summary
    elif kind == "hak":
        form, action = RightForm(), reverse("care:right_set", args=[case.pk])
    elif kind == "hukum-tahap":
        form = LegalEventForm(perpetrators=_perpetrators(case), initial={"date": today})
        action = reverse("care:legal_event", args=[case.pk])
    elif kind == "hukum":
        form = _legal_case_form(selectors.legal_for_case(user, case, ask))
        action = reverse("care:legal_case", args=[case.pk])
    elif kind == "restitusi":
        form = _restitution_form(selectors.restitution_for_case(user, case, ask))
        action = reverse("care:restitution", args=[case.pk])
    else:  # restitusi-bayar: only once an amount was ordered (as on the panel)
        restitution = selectors.restitution_for_case(user, case, ask)
        if restitution is None or restitution.ordered_amount is None:
            raise Http404
        form, action = PaymentForm(initial={"paid_on": today}), reverse("care:payment", args=[case.pk])
    out.update(form=form, action=action)
    return out


def _today() -> dt.date:
    return timezone.localdate()


def _panel(key: str):
    def render(request, case) -> str:
        try:
            # On the case file the forms are fetched on demand (see `build_form`).
            return render_panel(request, case, key, lazy=True)
        except Http404:
            return ""

    render.__name__ = f"care_{key}_panel"
    return render


def register_panels() -> None:
    from gugus.cases.panels import register_case_panel

    for i, key in enumerate(PANELS):
        register_case_panel(f"care_{key}", order=20 + i, render=_panel(key))


# ---------------------------------------------------------------- region portrait


def portrait_section(request, region, year) -> str:
    """Aggregate service figures for the region (cases handled there) in `year`. Never a person."""
    if not scope_for(request.user).has("aggregate.view"):
        return ""
    from . import aggregates

    year = int(year or _today().year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    code = region.pk if hasattr(region, "pk") else str(region)
    summary = aggregates.care_summary(code, start, end)
    shelters = aggregates.shelter_occupancy(code)
    svc = summary["services"]
    from gugus.reference.models import Code

    labels = dict(
        Code.objects.filter(code_list_id__in=["service_type", "funding_source"]).values_list("key", "label_id")
    )
    by_type = sorted(((labels.get(f"service_type.{k}", k), v) for k, v in svc["by_type"].items()), key=lambda x: -x[1])
    by_funding = sorted(
        ((labels.get(f"funding_source.{k}", "Belum diketahui"), v) for k, v in svc["by_funding"].items()),
        key=lambda x: -x[1],
    )
    return render_to_string(
        "care/portrait.html",
        {
            "region": region,
            "year": year,
            "s": summary,
            "svc": svc,
            "by_type": by_type,
            "by_funding": by_funding,
            "shelters": shelters,
            "within_pct": round(100 * svc["started_within_7_days"] / svc["started"]) if svc["started"] else None,
        },
        request=request,
    )


def register_portrait() -> None:
    from gugus.registry.portrait_sections import register_portrait_section

    register_portrait_section("care", order=40, render=portrait_section)


__all__ = ["OWN", "PANELS", "register_panels", "register_portrait", "render_panel"]
