"""Pages and htmx endpoints of the care app (mounted at /layanan/). Thin: parse → service → render.

A form post answers an htmx request with the re-rendered panel (errors on the form, nothing
saved), and a plain post with a redirect to the case's care page (or that page with errors).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from gugus.accounts.scope import scope_for
from gugus.cases.models import Perpetrator
from gugus.core.errors import Conflict

from . import selectors, services
from .forms import (
    AdmitForm,
    DischargeForm,
    LegalCaseForm,
    LegalEventForm,
    LegEditForm,
    LegForm,
    PaymentForm,
    PlanForm,
    PlanStatusForm,
    RestitutionForm,
    RightForm,
    ServiceEditForm,
    ServiceForm,
    VisitForm,
    apply_errors,
)
from .panels import FORM_KINDS, PANELS, build_form, can_edit, render_panel
from .rules import region_q


def _panels(request, case, key=None, **forms) -> list[tuple[str, str]]:
    out = []
    for k in PANELS:
        html = render_panel(request, case, k, **(forms if k == key else {}))
        if html:
            out.append((k, html))
    return out


def _ok(request, case, key: str):
    if request.htmx:
        # The panel comes back with buttons, its forms fetched again on demand (as on the case file).
        return HttpResponse(render_panel(request, case, key, lazy=True))
    messages.success(request, "Tersimpan.")
    return redirect(f"/layanan/kasus/{case.pk}/#care-{key}")


def _bad(request, case, key: str, **forms):
    if request.htmx:
        return HttpResponse(render_panel(request, case, key, lazy=True, **forms))
    return render(request, "care/case.html", {"case": case, "panels": _panels(request, case, key, **forms)}, status=422)


def _run(form, action) -> bool:
    """Validate the form's shape and run the service on it; the service's errors land on the
    form. True when it succeeded."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except (ValidationError, Conflict) as exc:
        apply_errors(form, exc)
        return False
    return True


def _call(request, fn, **kwargs):
    """The service call for a form: the cleaned data as keyword arguments, and the version the
    form carried (forms with `VersionMixin`) as `expected_version`."""

    def action(cleaned: dict):
        data = dict(cleaned)
        extra = {"expected_version": data.pop("version")} if "version" in data else {}
        return fn(actor=request.user, **kwargs, **extra, **data)

    return action


def _submit(request, case, key: str, form, form_arg: str, action):
    """Run the form's service and answer with the panel (htmx) or the page."""
    if _run(form, action):
        return _ok(request, case, key)
    return _bad(request, case, key, **{form_arg: form})


def _may_edit_record(request, case, org_id) -> bool:
    """Full reach over the case's care records, or the record is the user's organisation's."""
    return can_edit(request, case) and (
        selectors.care_access(request.user, case, "service.edit") == "all"
        or org_id in selectors.user_org_ids(request.user)
    )


def _form_status(form) -> int:
    return 422 if form is not None and form.is_bound and form.errors else 200


# ---------------------------------------------------------------- pages


@login_required
def index(request):
    scope = scope_for(request.user)
    if not (scope.has("service.view") or scope.has("legal.view") or scope.has("aggregate.view")):
        raise Http404
    ctx = {}
    if scope.has("service.view"):
        ctx["followups_overdue"] = selectors.followups_for_org(request.user, overdue=True).count()
    if scope.has("legal.view"):
        ctx["restitution_overdue"] = len(selectors.restitutions_overdue(request.user))
    shelters = list(selectors.shelters_visible_to(request.user))
    ctx["shelters_full"] = [s for s in shelters if s.capacity is not None and s.occupied >= s.capacity]
    ctx["shelters_count"] = len(shelters)
    return render(request, "care/index.html", ctx)


@login_required
def case_care(request, case_id):
    case = selectors.case_for(request.user, case_id, "victim.view")
    panels = _panels(request, case)
    if not panels:
        raise Http404
    return render(request, "care/case.html", {"case": case, "panels": panels})


@login_required
def case_form(request, case_id, kind, record_id=None):
    """One of a case's care forms, fetched on demand: the fragment for htmx (the case file shows a
    button in its place), a page of its own without JavaScript. Same checks as the form's post;
    out of scope → 404."""
    spec = FORM_KINDS.get(kind)
    if spec is None:
        raise Http404
    case = selectors.case_for(request.user, case_id, spec.case_perm)
    ctx = {"case": case, **build_form(request, case, kind, record_id)}
    if request.htmx:
        return render(request, "care/_form.html", {**ctx, "open": True})
    return render(request, "care/form_page.html", ctx)


@login_required
def shelters(request):
    scope = scope_for(request.user)
    if not scope.has("service.view") and not scope.has("aggregate.view"):
        raise Http404
    region = (request.GET.get("wilayah") or scope.widest_region or "ID").strip()[:13]
    qs = selectors.shelters_visible_to(request.user).filter(region_q("region", region))
    only_full = request.GET.get("penuh") == "1"
    if only_full:
        qs = qs.filter(capacity__isnull=False, occupied__gte=F("capacity"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for r in page:
        r.free = None if r.capacity is None else r.capacity - r.occupied
        r.pct = None if not r.capacity else round(100 * r.occupied / r.capacity)
    return render(request, "care/shelters.html", {"page": page, "region": region, "only_full": only_full})


@login_required
@require_POST
def shelter_location(request, shelter_id):
    location = selectors.shelter_location_for_user(request.user, shelter_id)
    html = format_html('<span class="badge warn" role="status">Lokasi rahasia: {}</span>', location or "(belum diisi)")
    if request.htmx:
        return HttpResponse(html)
    return render(request, "care/location.html", {"html": html})


@login_required
def followups(request):
    if not scope_for(request.user).has("service.view"):
        raise Http404
    mine = request.GET.get("semua") != "1"
    only_overdue = request.GET.get("terlambat") == "1"
    history = request.GET.get("riwayat") == "1"
    qs = selectors.followups_for_org(request.user, only_mine=mine, overdue=only_overdue)
    if not history:
        qs = qs.filter(visited_on__isnull=True)
    overdue_ids = set(selectors.followups_overdue(qs).values_list("pk", flat=True))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for v in page:
        v.overdue = v.pk in overdue_ids
        v.form = VisitForm(
            initial={"version": v.version, "visited_on": today, "outcome": v.outcome, "note": v.note},
            prefix=f"v{v.pk.hex[:8]}",
        )
        v.can_edit = v.visited_on is None
    return render(
        request,
        "care/followups.html",
        {
            "page": page,
            "mine": mine,
            "only_overdue": only_overdue,
            "overdue_count": len(overdue_ids),
            "history": history,
        },
    )


@login_required
def restitution_overdue(request):
    if not scope_for(request.user).has("legal.view"):
        raise Http404
    return render(request, "care/restitution_overdue.html", {"rows": selectors.restitutions_overdue(request.user)})


# ---------------------------------------------------------------- services


@login_required
@require_POST
def service_add(request, case_id):
    case = selectors.case_for(request.user, case_id, "service.edit")
    form = ServiceForm(request.POST)
    return _submit(request, case, "services", form, "form", _call(request, services.service_create, case=case))


@login_required
def service_detail(request, service_id):
    service = selectors.service_get_for_user(request.user, service_id)
    case = service.case
    form = None
    if _may_edit_record(request, case, service.provider_org_id):
        initial = {
            f: getattr(service, f)
            for f in (
                "provider_org",
                "status",
                "requested_on",
                "started_on",
                "completed_on",
                "outcome",
                "cost",
                "payer_org",
                "bpjs_claim_refused",
                "alt_payer_org",
                "version",
            )
        }
        initial.update(
            service_type=service.type_code,
            funding_source=service.funding_code or "",
            alt_funding_source=(service.alt_funding_source_id or ".").split(".", 1)[1],
        )
        form = ServiceEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and _run(form, _call(request, services.service_update, service=service)):
            messages.success(request, "Layanan diperbarui.")
            return redirect("care:service", service_id=service.pk)
    elif request.method == "POST":
        raise Http404
    return render(request, "care/service.html", {"s": service, "case": case, "form": form}, status=_form_status(form))


# ---------------------------------------------------------------- shelter


@login_required
@require_POST
def admit(request, case_id):
    case = selectors.case_for(request.user, case_id, "service.edit")
    form = AdmitForm(request.POST)
    return _submit(request, case, "shelter", form, "form", _call(request, services.shelter_admit, case=case))


@login_required
@require_POST
def discharge(request, stay_id):
    stay = selectors.stay_get_for_user(request.user, stay_id)
    form = DischargeForm(request.POST, prefix=f"d{stay.pk.hex[:8]}")
    if _run(form, _call(request, services.shelter_discharge, stay=stay)):
        return _ok(request, stay.case, "shelter")
    return _bad(request, stay.case, "shelter", discharge_forms={stay.pk: form})


# ---------------------------------------------------------------- repatriation


@login_required
@require_POST
def leg_add(request, case_id):
    case = selectors.case_for(request.user, case_id, "service.edit")
    form = LegForm(request.POST)
    create = _call(request, services.repatriation_leg_create, case=case)
    return _submit(request, case, "repatriation", form, "form", create)


@login_required
def leg_detail(request, leg_id):
    leg = selectors.leg_get_for_user(request.user, leg_id)
    case = leg.case
    form = None
    if _may_edit_record(request, case, leg.responsible_org_id):
        fields = (
            "responsible_org",
            "from_region",
            "to_region",
            "status",
            "planned_on",
            "departed_on",
            "arrived_on",
            "cost",
            "funder_org",
            "medical_condition",
            "escorted",
            "escort_org",
            "note",
            "version",
        )
        initial = {f: getattr(leg, f) for f in fields}
        initial.update(
            leg_type=leg.type_code,
            from_region=leg.from_region_id or "",
            to_region=leg.to_region_id or "",
            from_country=leg.from_country_id or "",
            to_country=leg.to_country_id or "",
            funding_source=(leg.funding_source_id or ".").split(".", 1)[1],
        )
        form = LegEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and _run(form, _call(request, services.repatriation_leg_update, leg=leg)):
            messages.success(request, "Tahap pemulangan diperbarui.")
            return redirect("care:leg", leg_id=leg.pk)
    elif request.method == "POST":
        raise Http404
    from .panels import country_choices

    return render(
        request,
        "care/leg.html",
        {"leg": leg, "case": case, "form": form, "countries": country_choices() if form else []},
        status=_form_status(form),
    )


# ---------------------------------------------------------------- reintegration


@login_required
@require_POST
def plan_add(request, case_id):
    case = selectors.case_for(request.user, case_id, "service.edit")
    form = PlanForm(request.POST)
    create = _call(request, services.reintegration_plan_create, case=case)
    return _submit(request, case, "reintegration", form, "form", create)


@login_required
@require_POST
def plan_status(request, case_id):
    case = selectors.case_for(request.user, case_id, "service.edit")
    plan = selectors.plan_for_case(request.user, case)
    if plan is None:
        raise Http404
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        try:
            services.reintegration_plan_update(
                actor=request.user,
                plan=plan,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationError, Conflict) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return _ok(request, case, "reintegration")


@login_required
@require_POST
def visit(request, visit_id):
    v = selectors.followup_get_for_user(request.user, visit_id)
    form = VisitForm(request.POST, prefix=f"v{v.pk.hex[:8]}")
    from_list = request.POST.get("from") == "list"
    if _run(form, _call(request, services.followup_record, visit=v)):
        if from_list:
            if request.htmx:
                return HttpResponse(mark_safe('<td colspan="6"><span class="badge ok">Kunjungan dicatat.</span></td>'))
            messages.success(request, "Kunjungan dicatat.")
            return redirect("care:followups")
        return _ok(request, v.case, "reintegration")
    if from_list:
        msgs = "; ".join(f"{m}" for errs in form.errors.values() for m in errs)
        if request.htmx:
            return HttpResponse(format_html('<td colspan="6"><span class="badge bad">{}</span></td>', msgs))
        messages.error(request, msgs)
        return redirect("care:followups")
    return _bad(request, v.case, "reintegration", visit_forms={v.pk: form})


# ---------------------------------------------------------------- rights


@login_required
@require_POST
def right_set(request, case_id):
    case = selectors.case_for(request.user, case_id, "victim.view")
    if not selectors.can_edit_rights(request.user, case):
        raise Http404
    form = RightForm(request.POST)
    return _submit(request, case, "rights", form, "form", _call(request, services.right_set, case=case))


# ---------------------------------------------------------------- legal


@login_required
@require_POST
def legal_case(request, case_id):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    save = _call(request, services.legal_case_save, case=case)
    return _submit(request, case, "legal", LegalCaseForm(request.POST), "case_form", save)


@login_required
@require_POST
def legal_event(request, case_id):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    perps = Perpetrator.objects.filter(case=case).order_by("created_at")
    form = LegalEventForm(request.POST, perpetrators=perps)
    return _submit(request, case, "legal", form, "event_form", _call(request, services.legal_event_add, case=case))


@login_required
@require_POST
def restitution(request, case_id):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    save = _call(request, services.restitution_save, case=case)
    return _submit(request, case, "legal", RestitutionForm(request.POST), "restitution_form", save)


@login_required
@require_POST
def payment(request, case_id):
    case = selectors.case_for(request.user, case_id, "legal.edit")
    add = _call(request, services.restitution_payment_add, case=case)
    return _submit(request, case, "legal", PaymentForm(request.POST), "payment_form", add)
