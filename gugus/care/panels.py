"""Sections of the case file (registered in CareConfig.ready) and of the region portrait.

Each panel renders `care/panels/<key>.html` from this app's selectors; "" when the user may not
see it. The same functions render the care page of a case and answer htmx form posts.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from gugus.accounts.scope import scope_for
from gugus.cases.models import Case, Perpetrator
from gugus.cases.selectors import can_view_identity

from . import selectors
from .access import ALL, OWN, care_access, user_org_ids
from .forms import (
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


def access(request, case: Case, perm: str) -> str | None:
    """care_access, cached on the request (a case page asks the same question several times)."""
    cache = request.__dict__.setdefault("_care_access", {})
    key = (case.pk, perm)
    if key not in cache:
        cache[key] = care_access(request.user, case, perm)
    return cache[key]


def can_view(request, case, perm="service.view") -> bool:
    return access(request, case, perm) is not None


def can_edit(request, case, perm="service.edit") -> bool:
    return access(request, case, perm) in (ALL, OWN)


def _render(request, key: str, ctx: dict) -> str:
    return render_to_string(f"care/panels/{key}.html", {"case": ctx["case"], **ctx}, request=request)


def services_context(request, case, form=None) -> dict | None:
    if not can_view(request, case):
        return None
    return {
        "case": case,
        "records": list(selectors.services_for_case(request.user, case)),
        "can_edit": can_edit(request, case),
        "form": form or ServiceForm(initial={"requested_on": _today()}),
        "open_form": form is not None,
    }


def shelter_context(request, case, form=None, discharge_forms=None) -> dict | None:
    if not can_view(request, case):
        return None
    stays = list(selectors.stays_for_case(request.user, case))
    orgs = user_org_ids(request.user)
    may_locate = can_view_identity(request.user, case)
    for s in stays:
        s.may_locate = s.is_open and (may_locate or s.shelter_id in orgs) and bool(s.shelter.secret_location)
        s.discharge_form = (discharge_forms or {}).get(s.pk) or DischargeForm(
            initial={"version": s.version, "discharged_on": _today()}, prefix=f"d{s.pk.hex[:8]}"
        )
    shelters = {o.pk: o for o in selectors.shelters_visible_to(request.user)}
    form = form or AdmitForm(initial={"admitted_on": _today()})
    form.fields["shelter"].label_from_instance = lambda o: _shelter_label(shelters.get(o.pk), o)
    return {
        "case": case,
        "stays": stays,
        "can_edit": can_edit(request, case),
        "form": form,
        "open_form": bool(form.is_bound),
    }


def _shelter_label(row, org) -> str:
    if row is None:
        return org.name
    cap = "?" if row.capacity is None else row.capacity
    return f"{org.name} — terisi {row.occupied}/{cap}"


def repatriation_context(request, case, form=None) -> dict | None:
    if not can_view(request, case):
        return None
    editable = can_edit(request, case)
    return {
        "case": case,
        "legs": list(selectors.legs_for_case(request.user, case)),
        "can_edit": editable,
        "form": form or LegForm(),
        "open_form": form is not None,
        "escort_needed": case.is_child,
        "countries": country_choices() if editable else [],
    }


def country_choices() -> list[tuple[str, str]]:
    from gugus.reference.models import Country

    return list(Country.objects.values_list("code", "name_id"))


def reintegration_context(request, case, form=None, visit_forms=None) -> dict | None:
    if not can_view(request, case):
        return None
    plan = selectors.plan_for_case(request.user, case)
    visits = []
    today = _today()
    if plan is not None:
        visits = list(plan.visits.order_by("month"))
        for v in visits:
            v.overdue = v.visited_on is None and v.due_on < today and plan.status == "active"
            v.form = (visit_forms or {}).get(v.pk) or VisitForm(
                initial={
                    "version": v.version,
                    "visited_on": v.visited_on or min(today, max(v.due_on, plan.return_on)),
                    "outcome": v.outcome,
                    "note": v.note,
                },
                prefix=f"v{v.pk.hex[:8]}",
            )
    return {
        "case": case,
        "plan": plan,
        "visits": visits,
        "can_edit": can_edit(request, case),
        "status_choices": PlanStatus.choices,
        "form": form or PlanForm(initial={"return_on": today}),
        "open_form": form is not None,
    }


def rights_context(request, case, form=None) -> dict | None:
    if not selectors.can_see_rights(request.user, case):
        return None
    rights = selectors.rights_for_case(request.user, case)
    today = _today()
    return {
        "case": case,
        "rights": rights,
        "today": today,
        "can_edit": selectors.can_edit_rights(request.user, case),
        "form": form or RightForm(),
        "open_form": form is not None,
        "right_choices": [(r.code, r.label) for r in rights],
        "overdue": sum(1 for r in rights if r.overdue(today)),
        "fulfilled": sum(1 for r in rights if r.status == RightStatus.FULFILLED),
    }


def legal_context(
    request, case, event_form=None, case_form=None, restitution_form=None, payment_form=None
) -> dict | None:
    if not can_view(request, case, "legal.view"):
        return None
    legal = selectors.legal_for_case(request.user, case)
    events = list(selectors.legal_events_for_case(request.user, case))
    restitution = selectors.restitution_for_case(request.user, case)
    editable = can_edit(request, case, "legal.edit")
    perps = list(Perpetrator.objects.filter(case=case).order_by("created_at")) if editable else []
    numbering = (
        {
            pk: i
            for i, pk in enumerate(
                Perpetrator.objects.filter(case=case).order_by("created_at").values_list("pk", flat=True), start=1
            )
        }
        if events
        else {}
    )
    for ev in events:
        ev.suspect_labels = [f"Terduga pelaku {numbering.get(p.pk, '?')}" for p in ev.suspects.all()]
    if case_form is None:
        initial = {"lpsk_protection": "none"}
        if legal is not None:
            initial = {
                f: getattr(legal, f)
                for f in (
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
            }
        case_form = LegalCaseForm(initial=initial)
    if restitution_form is None:
        initial = {}
        if restitution is not None:
            initial = {
                f: getattr(restitution, f)
                for f in (
                    "requested_on",
                    "requested_amount",
                    "lpsk_assessed_on",
                    "lpsk_assessed_amount",
                    "ordered_on",
                    "ordered_amount",
                    "version",
                )
            }
        restitution_form = RestitutionForm(initial=initial)
    return {
        "case": case,
        "legal": legal,
        "events": events,
        "restitution": restitution,
        "can_edit": editable,
        "restitution_overdue": bool(restitution and restitution.is_overdue(_today())),
        "event_form": event_form or LegalEventForm(perpetrators=perps, initial={"date": _today()}),
        "case_form": case_form,
        "restitution_form": restitution_form,
        "payment_form": payment_form or PaymentForm(initial={"paid_on": _today()}),
        "open": {
            "event": event_form is not None,
            "case": case_form.is_bound,
            "restitution": restitution_form.is_bound,
            "payment": payment_form is not None,
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


def render_panel(request, case, key: str, **forms) -> str:
    ctx = CONTEXTS[key](request, case, **forms)
    return "" if ctx is None else _render(request, key, ctx)


def _today() -> dt.date:
    return timezone.localdate()


def _panel(key: str):
    def render(request, case) -> str:
        try:
            return render_panel(request, case, key)
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
