"""Pages of the registry: the region index and portrait, exports, and the entry forms (htmx-
enhanced; every form also works as a plain POST). Thin: parse, call a selector or service, render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from gugus.audit.services import record
from gugus.core.errors import Conflict
from gugus.reference.models import ROOT_CODE, Region

from . import forms as f
from . import selectors as sel
from . import services as svc
from .access import can_edit_region, editable_region_codes, require_view
from .export import portrait_csv, portrait_xlsx
from .models import FACILITY_FIELDS, TaskForceStatus, UnitProfile
from .portrait import build_portrait, children_facts, default_year, staff_counts_for_unit
from .portrait_sections import render_portrait_sections

# ---------------------------------------------------------------------------------------------
# helpers


def _year(request) -> int:
    try:
        y = int(request.GET.get("tahun") or default_year())
    except ValueError:
        y = default_year()
    return min(max(y, 2000), timezone.localdate().year + 2)


def _respond_done(request, url: str):
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


ERROR_ALIASES = {
    "decree_number": "number",
    "decree_date": "date",
    "decree_title": "title",
    "agency": "agency",
    "organiser": "organiser",
    "members": None,
}


def _apply_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for msg in exc.messages:
            form.add_error(None, msg)
        return
    for field, errors in exc.message_dict.items():
        name = field if field in form.fields else ERROR_ALIASES.get(field)
        for msg in errors:
            form.add_error(name if name in form.fields else None, msg)


def _call(form, fn, *args, **kwargs) -> tuple[Any, int]:
    """Run a service; on failure put the messages on the form. Returns (result, http status)."""
    try:
        return fn(*args, **kwargs), 200
    except ValidationError as exc:
        _apply_errors(form, exc)
        return None, 422
    except Conflict as exc:
        form.add_error(None, f"{exc.message} Muat ulang halaman untuk melihat data terbaru.")
        return None, 409


def _form_page(request, ctx: dict, status: int = 200):
    if request.htmx:
        # htmx swaps only 2xx answers: field errors come back as 200 with the form re-rendered.
        return render(request, "registry/_form.html", ctx)
    return render(request, "registry/form.html", ctx, status=status)


def _submit(request, form, fn, done_url, *, formset=None, versioned: bool = False, **kwargs):
    """A posted form: validate, call the service (its errors land on the form) and, when it
    succeeds, send the user to `done_url` (a URL or a function of the result).
    Returns (the redirect or None, the HTTP status for re-rendering)."""
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        return None, 422
    if formset is not None:
        kwargs["participants"] = f.participants_from(formset)
    if versioned:
        kwargs["expected_version"] = form.expected_version()
    result, status = _call(form, fn, actor=request.user, **kwargs, **form.to_service())
    if result is None:
        return None, status
    return _respond_done(request, done_url(result) if callable(done_url) else done_url), status


def _form_view(request, form, fn, done_url, *, title: str, region, back: str, formset=None, **kwargs):
    """A page with one entry form (GET shows it, POST submits it, errors re-render it)."""
    status = 200
    if request.method == "POST":
        done, status = _submit(request, form, fn, done_url, formset=formset, **kwargs)
        if done is not None:
            return done
    ctx = {"form": form, "title": title, "region": region, "action": request.path, "back": back}
    if formset is not None:
        ctx["formset"] = formset
    return _form_page(request, ctx, status)


def _section_post(request, form, fn, done_url, page, **kwargs):
    """A form posted from a detail page: on error the page is rendered again around the form
    (200 for htmx, which swaps only 2xx answers)."""
    done, status = _submit(request, form, fn, done_url, **kwargs)
    if done is not None:
        return done
    return page(200 if request.htmx else status)


def _portrait_url(code: str, anchor: str = "") -> str:
    return reverse("registry:portrait", args=[code]) + (f"#{anchor}" if anchor else "")


def _initial(form_cls, obj) -> dict:
    from django import forms as djforms

    init = {}
    for name, field in form_cls.base_fields.items():
        if name == "version":
            init["version"] = obj.version
            continue
        from django.core.exceptions import FieldDoesNotExist

        try:
            mf = obj._meta.get_field(name)
        except FieldDoesNotExist:  # a form field with no model field of that name
            mf = None
        if mf is None:
            continue
        if mf.many_to_many:
            init[name] = [o.pk for o in getattr(obj, name).all()]
        elif mf.is_relation:
            val = getattr(obj, mf.attname)
            if isinstance(field, djforms.ChoiceField) and not isinstance(field, djforms.ModelChoiceField) and val:
                val = str(val).split(".", 1)[1]
            init[name] = val
        else:
            init[name] = getattr(obj, name)
    return init


def _region_for_edit(user, code: str) -> Region:
    region = sel.region_get_for_portrait(user, code)
    if not can_edit_region(user, region.code):
        raise Http404
    return region


# ---------------------------------------------------------------------------------------------
# index, search, portrait, exports


@login_required
def index(request):
    require_view(request.user)
    q = request.GET.get("q", "").strip()
    year = _year(request)
    results = sel.region_search(request.user, q) if q else None
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "registry/_search_results.html", {"results": results, "q": q})
    national = Region.objects.get(pk=ROOT_CODE)
    exact, subtree = editable_region_codes(request.user)
    mine = sorted(exact | subtree)
    return render(
        request,
        "registry/index.html",
        {
            "q": q,
            "results": results,
            "year": year,
            "national": national,
            "children": children_facts(request.user, national, year),
            "my_regions": list(Region.objects.filter(pk__in=mine)),
        },
    )


@login_required
def portrait(request, code):
    region = sel.region_get_for_portrait(request.user, code)
    year = _year(request)
    p = build_portrait(request.user, region, year, with_cases=False)  # the cases section renders them
    ctx = {
        "p": p,
        "region": region,
        "year": year,
        "years": list(range(timezone.localdate().year + 1, 2017, -1)),
        "sections": render_portrait_sections(request, region, year),
        "TaskForceStatus": TaskForceStatus,
    }
    if request.htmx and request.htmx.target == "portrait-body":
        return render(request, "registry/_portrait_body.html", ctx)
    return render(request, "registry/portrait.html", ctx)


@login_required
def export(request, code, fmt):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    region = sel.region_get_for_portrait(request.user, code)
    year = _year(request)
    p = build_portrait(request.user, region, year)
    record(
        "portrait_export",
        actor=request.user,
        object_type="region",
        object_id=region.code,
        region_code=region.code,
        detail={"year": year, "format": fmt},
    )
    name = f"profil-wilayah-{region.code.replace('.', '')}-{year}"
    if fmt == "csv":
        resp = HttpResponse(portrait_csv(p), content_type="text/csv; charset=utf-8")
    else:
        resp = HttpResponse(
            portrait_xlsx(p), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


@login_required
def zero_budget(request):
    require_view(request.user)
    year = _year(request)
    programme = request.GET.get("program") or "prevention"
    if programme not in {"prevention", "handling_repatriation"}:
        programme = "prevention"
    level = {"provinsi": 1, "kabkota": 2}.get(request.GET.get("tingkat", ""))
    within = request.GET.get("dalam") or ROOT_CODE
    if not Region.objects.filter(pk=within, level__lte=1).exists():
        within = ROOT_CODE
    state = request.GET.get("keadaan", "")
    rows = sel.zero_budget_regions(request.user, year=year, programme=programme, level=level, within=within)
    if state in {"zero", "unreported"}:
        rows = [r for r in rows if r["state"] == state]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/zero_budget.html",
        {
            "page": page,
            "year": year,
            "programme": programme,
            "level": request.GET.get("tingkat", ""),
            "within": within,
            "state": state,
            "total": len(rows),
            "n_zero": sum(1 for r in rows if r["state"] == "zero"),
            "n_unreported": sum(1 for r in rows if r["state"] == "unreported"),
            "provinces": Region.objects.filter(level=1).order_by("code"),
        },
    )


@login_required
def budgets(request, code):
    region = sel.region_get_for_portrait(request.user, code)
    lines = (
        sel.budgets_visible_to(request.user).filter(region=region).order_by("-year", "programme__sort", "source__sort")
    )
    return render(
        request,
        "registry/budgets.html",
        {"region": region, "lines": lines, "can_edit": can_edit_region(request.user, region.code)},
    )


@login_required
def practices(request):
    require_view(request.user)
    qs = sel.practices_visible_to(request.user).prefetch_related("replications__region").order_by("title")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "registry/practices.html", {"page": page})


# ---------------------------------------------------------------------------------------------
# generic create / edit for the simple records


@dataclass(frozen=True)
class Kind:
    title: str
    form: type
    create: Any
    update: Any
    obj_kw: str
    get: Any
    anchor: str
    detail: str | None = None  # url name of a detail page to land on
    participants: bool = False


KINDS = {
    "anggaran": Kind(
        "Baris anggaran",
        f.BudgetForm,
        svc.budget_create,
        svc.budget_update,
        "budget",
        sel.budget_get_for_user,
        "anggaran",
    ),
    "regulasi": Kind(
        "Peraturan daerah",
        f.RegulationForm,
        svc.regulation_create,
        svc.regulation_update,
        "regulation",
        sel.regulation_get_for_user,
        "regulasi",
    ),
    "pencegahan": Kind(
        "Kegiatan pencegahan",
        f.PreventionForm,
        svc.prevention_create,
        svc.prevention_update,
        "activity",
        sel.prevention_get_for_user,
        "pencegahan",
    ),
    "pelatihan": Kind(
        "Pelatihan",
        f.TrainingForm,
        svc.training_create,
        svc.training_update,
        "training",
        sel.training_get_for_user,
        "pelatihan",
        "registry:training",
        participants=True,
    ),
    "rad": Kind(
        "Rencana aksi daerah (RAD)",
        f.PlanForm,
        svc.plan_create,
        svc.plan_update,
        "plan",
        sel.plan_get_for_user,
        "rad",
        "registry:plan",
    ),
    "praktik-baik": Kind(
        "Praktik baik",
        f.PracticeForm,
        svc.practice_create,
        svc.practice_update,
        "practice",
        sel.practice_get_for_user,
        "praktik-baik",
        "registry:practice",
    ),
}


def _kind(kind: str) -> Kind:
    k = KINDS.get(kind)
    if k is None:
        raise Http404
    return k


def _participant_initial(training) -> list[dict]:
    return [
        {"agency_type": p.agency_type_id.split(".", 1)[1], "female": p.female, "male": p.male}
        for p in training.participants.all()
    ]


def _kind_url(k: Kind, region_code: str, obj) -> str:
    """Where a record of this kind is shown: its own page, or its section of the portrait."""
    return reverse(k.detail, args=[obj.pk]) if k.detail else _portrait_url(region_code, k.anchor)


@login_required
def record_new(request, code, kind):
    k = _kind(kind)
    region = _region_for_edit(request.user, code)
    orgs = sel.organisations_for_choice(request.user, region)
    initial = {"year": timezone.localdate().year} if kind == "anggaran" else {}
    form = k.form(request.POST or None, organisations=orgs, initial=initial)
    return _form_view(
        request,
        form,
        k.create,
        lambda obj: _kind_url(k, region.code, obj),
        title=f"{k.title} baru",
        region=region,
        back=_portrait_url(region.code, k.anchor),
        formset=f.ParticipantFormSet(request.POST or None, prefix="p") if k.participants else None,
        region_code=region.code,
    )


@login_required
def record_edit(request, kind, pk):
    k = _kind(kind)
    obj = sel.for_edit(request.user, k.get(request.user, pk))
    region = obj.region
    orgs = sel.organisations_for_choice(request.user, region)
    form = k.form(request.POST or None, organisations=orgs, initial=_initial(k.form, obj))
    formset = None
    if k.participants:
        formset = f.ParticipantFormSet(request.POST or None, prefix="p", initial=_participant_initial(obj))
    url = _kind_url(k, region.code, obj)
    return _form_view(
        request,
        form,
        k.update,
        url,
        title=f"Ubah {k.title.lower()}",
        region=region,
        back=url,
        formset=formset,
        versioned=True,
        **{k.obj_kw: obj},
    )


@login_required
@require_POST
def budget_delete(request, pk):
    line = sel.for_edit(request.user, sel.budget_get_for_user(request.user, pk))
    try:
        version = int(request.POST.get("version") or line.version)
    except ValueError:
        version = line.version
    try:
        svc.budget_delete(actor=request.user, budget=line, expected_version=version)
    except Conflict as exc:
        return HttpResponse(exc.message, status=409)
    return _respond_done(request, reverse("registry:budgets", args=[line.region_id]))


# ---------------------------------------------------------------------------------------------
# task force


@login_required
def taskforce_new(request, code):
    region = _region_for_edit(request.user, code)
    orgs = sel.organisations_for_choice(request.user, region)
    form = f.TaskForceCreateForm(request.POST or None, organisations=orgs)
    return _form_view(
        request,
        form,
        svc.taskforce_create,
        _taskforce_url,
        title="Gugus tugas baru",
        region=region,
        back=_portrait_url(region.code, "gugus-tugas"),
        region_code=region.code,
    )


def _taskforce_ctx(request, tf, **forms):
    orgs = sel.organisations_for_choice(request.user, tf.region)
    decrees = list(
        tf.decrees.select_related("secretariat")
        .prefetch_related("members__organisation", "members__sub_gt")
        .order_by("-date")
    )
    current = tf.current_decree
    can_edit = can_edit_region(request.user, tf.region_id)
    ctx = {
        "tf": tf,
        "region": tf.region,
        "decrees": decrees,
        "current": current,
        "can_edit": can_edit,
        "history": tf.status_history.all(),
        "renew_form": forms.get("renew_form")
        or f.DecreeRenewForm(
            organisations=orgs,
            initial={
                "signed_by": current.signed_by if current else "",
                "chair": current.chair if current else "",
                "secretariat": current.secretariat_id if current else None,
                "copy_members": True,
            },
        ),
        "member_form": forms.get("member_form") or f.MemberForm(organisations=orgs),
        "status_form": forms.get("status_form") or f.TaskForceStatusForm(initial={"version": tf.version}),
    }
    return ctx


def _taskforce_url(tf) -> str:
    return reverse("registry:taskforce", args=[tf.pk])


def _taskforce_page(request, tf, **forms):
    """Re-render the task-force page around a form that failed."""
    return lambda status: render(
        request, "registry/taskforce.html", _taskforce_ctx(request, tf, **forms), status=status
    )


@login_required
def taskforce_detail(request, pk):
    tf = sel.taskforce_get_for_user(request.user, pk)
    return render(request, "registry/taskforce.html", _taskforce_ctx(request, tf))


@login_required
@require_POST
def taskforce_renew(request, pk):
    tf = sel.for_edit(request.user, sel.taskforce_get_for_user(request.user, pk))
    form = f.DecreeRenewForm(request.POST, organisations=sel.organisations_for_choice(request.user, tf.region))
    page = _taskforce_page(request, tf, renew_form=form)
    return _section_post(request, form, svc.decree_renew, _taskforce_url(tf), page, task_force=tf)


@login_required
@require_POST
def taskforce_status(request, pk):
    tf = sel.for_edit(request.user, sel.taskforce_get_for_user(request.user, pk))
    form = f.TaskForceStatusForm(request.POST)
    page = _taskforce_page(request, tf, status_form=form)
    return _section_post(
        request, form, svc.taskforce_set_status, _taskforce_url(tf), page, versioned=True, task_force=tf
    )


@login_required
def taskforce_edit(request, pk):
    tf = sel.for_edit(request.user, sel.taskforce_get_for_user(request.user, pk))
    form = f.TaskForceEditForm(request.POST or None, initial=_initial(f.TaskForceEditForm, tf))
    url = _taskforce_url(tf)
    return _form_view(
        request,
        form,
        svc.taskforce_update,
        url,
        title=f"Ubah {tf.name}",
        region=tf.region,
        back=url,
        versioned=True,
        task_force=tf,
    )


@login_required
def decree_edit(request, pk):
    decree = sel.for_edit(request.user, sel.decree_get_for_user(request.user, pk))
    tf = decree.task_force
    orgs = sel.organisations_for_choice(request.user, tf.region)
    form = f.DecreeForm(request.POST or None, organisations=orgs, initial=_initial(f.DecreeForm, decree))
    url = _taskforce_url(tf)
    return _form_view(
        request,
        form,
        svc.decree_update,
        url,
        title=f"Koreksi SK {decree.number}",
        region=tf.region,
        back=url,
        versioned=True,
        decree=decree,
    )


@login_required
@require_POST
def member_add(request, pk):
    decree = sel.for_edit(request.user, sel.decree_get_for_user(request.user, pk))
    tf = decree.task_force
    form = f.MemberForm(request.POST, organisations=sel.organisations_for_choice(request.user, tf.region))
    page = _taskforce_page(request, tf, member_form=form)
    return _section_post(request, form, svc.decree_member_add, _taskforce_url(tf), page, decree=decree)


@login_required
@require_POST
def member_remove(request, pk):
    member = sel.for_edit(request.user, sel.member_get_for_user(request.user, pk))
    tf = member.decree.task_force
    svc.decree_member_remove(actor=request.user, member=member)
    return _respond_done(request, _taskforce_url(tf))


# ---------------------------------------------------------------------------------------------
# RAD


def _plan_ctx(request, plan, **forms):
    orgs = sel.organisations_for_choice(request.user, plan.region)
    activities = list(plan.activities.select_related("sub_gt").prefetch_related("responsible", "years"))
    years = list(range(plan.period_start, plan.period_end + 1))
    for a in activities:
        by_year = {y.year: y for y in a.years.all()}
        a.grid = [(y, by_year.get(y)) for y in years]
    return {
        "plan": plan,
        "region": plan.region,
        "activities": activities,
        "years": years,
        "can_edit": can_edit_region(request.user, plan.region_id),
        "activity_form": forms.get("activity_form") or f.ActivityForm(organisations=orgs),
    }


def _plan_url(plan) -> str:
    return reverse("registry:plan", args=[plan.pk])


@login_required
def plan_detail(request, pk):
    plan = sel.plan_get_for_user(request.user, pk)
    return render(request, "registry/plan.html", _plan_ctx(request, plan))


@login_required
@require_POST
def activity_add(request, pk):
    plan = sel.for_edit(request.user, sel.plan_get_for_user(request.user, pk))
    form = f.ActivityForm(request.POST, organisations=sel.organisations_for_choice(request.user, plan.region))

    def page(status):
        return render(request, "registry/plan.html", _plan_ctx(request, plan, activity_form=form), status=status)

    return _section_post(request, form, svc.activity_add, _plan_url(plan), page, plan=plan)


@login_required
def activity_edit(request, pk):
    activity = sel.for_edit(request.user, sel.activity_get_for_user(request.user, pk))
    plan = activity.plan
    orgs = sel.organisations_for_choice(request.user, plan.region)
    form = f.ActivityForm(request.POST or None, organisations=orgs, initial=_initial(f.ActivityForm, activity))
    url = _plan_url(plan)
    return _form_view(
        request,
        form,
        svc.activity_update,
        url,
        title="Ubah kegiatan RAD",
        region=plan.region,
        back=url,
        versioned=True,
        activity=activity,
    )


@login_required
def activity_year(request, pk):
    """One small form per year of the plan (target, realisation), each carrying its row's version."""
    activity = sel.for_edit(request.user, sel.activity_get_for_user(request.user, pk))
    plan = activity.plan
    rows = {r.year: r for r in activity.years.all()}
    posted = f.ActivityYearForm(request.POST) if request.method == "POST" else None
    status = 200
    if posted is not None:
        done, status = _submit(
            request, posted, svc.activity_year_set, _plan_url(plan), versioned=True, activity=activity
        )
        if done is not None:
            return done
    forms_by_year = []
    for y in range(plan.period_start, plan.period_end + 1):
        if posted is not None and str(posted.data.get("year")) == str(y):
            forms_by_year.append((y, posted))
            continue
        r = rows.get(y)
        init = (
            {"year": y, "target": r.target, "realisation": r.realisation, "note": r.note, "version": r.version}
            if r
            else {"year": y}
        )
        forms_by_year.append((y, f.ActivityYearForm(initial=init, auto_id=f"id_{y}_%s")))
    for _y, form in forms_by_year:
        form.fields["year"].widget = form.fields["year"].hidden_widget()
    return render(
        request,
        "registry/activity_years.html",
        {"activity": activity, "plan": plan, "region": plan.region, "forms": forms_by_year, "action": request.path},
        status=200 if request.htmx else status,
    )


# ---------------------------------------------------------------------------------------------
# service units


def _unit_ctx(request, unit, **forms):
    profile = UnitProfile.objects.filter(organisation=unit).first()
    beds = sel.unit_beds([unit]).get(unit.pk)
    if profile is not None:
        init = _initial(f.UnitProfileForm, profile)
    else:
        init = {"beds": unit.capacity, "as_of": timezone.localdate(), "version": None}
    return {
        "unit": unit,
        "region": unit.region,
        "profile": profile,
        "beds": beds,
        "facilities": [(profile._meta.get_field(x).verbose_name, getattr(profile, x)) for x in FACILITY_FIELDS]
        if profile
        else [],
        "staff": staff_counts_for_unit(unit),
        "can_edit": can_edit_region(request.user, unit.region_id),
        "is_safe_house": unit.org_type_id == "org_type.safe_house",
        "profile_form": forms.get("profile_form") or f.UnitProfileForm(initial=init),
        "staff_form": forms.get("staff_form") or f.StaffCountForm(initial=_staff_initial(request, unit)),
    }


def _staff_initial(request, unit) -> dict:
    """Prefill the staff form from a row picked in the table (?tahun=&fungsi=), with its version."""
    year, fn = request.GET.get("tahun"), request.GET.get("fungsi")
    if year and fn:
        from .models import StaffCount

        row = StaffCount.objects.filter(
            unit=unit, year=year if year.isdigit() else 0, function_id=f"staff_function.{fn}"
        ).first()
        if row is not None:
            return {
                "year": row.year,
                "function": fn,
                "total": row.total,
                "trained": row.trained,
                "version": row.version,
            }
    return {"year": timezone.localdate().year}


def _unit_url(unit) -> str:
    return reverse("registry:unit", args=[unit.pk])


def _unit_page(request, unit, **forms):
    """Re-render the unit page around a form that failed."""
    return lambda status: render(request, "registry/unit.html", _unit_ctx(request, unit, **forms), status=status)


@login_required
def unit_detail(request, pk):
    unit = sel.unit_get_for_user(request.user, pk)
    return render(request, "registry/unit.html", _unit_ctx(request, unit))


@login_required
@require_POST
def unit_profile(request, pk):
    unit = sel.for_edit(request.user, sel.unit_get_for_user(request.user, pk))
    form = f.UnitProfileForm(request.POST)
    page = _unit_page(request, unit, profile_form=form)
    return _section_post(request, form, svc.unit_profile_save, _unit_url(unit), page, versioned=True, organisation=unit)


@login_required
@require_POST
def unit_staff(request, pk):
    unit = sel.for_edit(request.user, sel.unit_get_for_user(request.user, pk))
    form = f.StaffCountForm(request.POST)
    page = _unit_page(request, unit, staff_form=form)
    return _section_post(request, form, svc.staff_count_set, _unit_url(unit), page, versioned=True, organisation=unit)


# ---------------------------------------------------------------------------------------------
# trainings and best practices


@login_required
def training_detail(request, pk):
    t = sel.training_get_for_user(request.user, pk)
    parts = list(t.participants.select_related("agency_type", "organisation"))
    return render(
        request,
        "registry/training.html",
        {
            "t": t,
            "region": t.region,
            "parts": parts,
            "female": sum(x.female for x in parts),
            "male": sum(x.male for x in parts),
            "can_edit": can_edit_region(request.user, t.region_id),
        },
    )


@login_required
def practice_detail(request, pk, form=None, status=200):
    p = sel.practice_get_for_user(request.user, pk)
    return render(
        request,
        "registry/practice.html",
        {
            "bp": p,
            "region": p.region,
            "replications": p.replications.select_related("region", "organisation"),
            "can_edit": can_edit_region(request.user, p.region_id),
            "can_replicate": svc_can_replicate(request.user, p),
            "form": form or f.ReplicationForm(initial={"year": timezone.localdate().year}),
        },
        status=status,
    )


def svc_can_replicate(user, practice) -> bool:
    exact, subtree = editable_region_codes(user)
    return bool(exact or subtree)


@login_required
@require_POST
def replication_add(request, pk):
    p = sel.practice_get_for_user(request.user, pk)
    form = f.ReplicationForm(request.POST)
    url = reverse("registry:practice", args=[p.pk])

    def page(status):
        return practice_detail(request, pk, form=form, status=status)

    return _section_post(request, form, svc.replication_add, url, page, practice=p)
