"""Case pages: list and search, register (sectioned, drafts, duplicate check), case file, edit
(optimistic locking with a conflict message naming what changed), status, consent,
perpetrators, merge. Thin: parse → service/selector → render."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from gugus.accounts.scope import scope_for
from gugus.core.errors import Conflict
from gugus.reference.models import Country, Region

from . import services
from .duplicates import find_candidates
from .forms import (
    ConsentForm,
    EditForm,
    MergeForm,
    PerpetratorForm,
    RegisterForm,
    SearchForm,
    StatusForm,
    VictimForm,
    field_digests,
    sign_digests,
    unsign_digests,
)
from .models import Case, CaseStatus, Consent, Perpetrator, VictimMerge
from .panels import render_case_panels
from .selectors import (
    CASE_NUMBER_RE,
    CASE_PREFIX_RE,
    CasePage,
    can_view_identity,
    case_allows,
    case_get_for_user,
    case_search,
    case_timeline,
    cases_visible_to,
    exploitation_labels,
    identities_for_cases,
    identity_get_for_user,
)
from .validation import registration_warnings

SEARCH_SESSION_KEY = "cases_search"
SEARCH_KEEP = 10
URL_FILTERS = ("region", "status", "exploitation", "date_from", "date_to", "sort")


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for fname, errs in exc.error_dict.items():
            for e in errs:
                for m in e.messages:
                    form.add_error(fname if fname in form.fields else None, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for errs in exc.error_dict.values() for e in errs for m in e.messages)
    return " ".join(exc.messages)


# --- list ----------------------------------------------------------------------------------


@login_required
def case_list(request):
    """Search and list. Names, NIKs and phone numbers typed into the search box never go into the
    URL: the form is POSTed, kept in the session under a random key, and the page URL carries
    only that key (and identity-free filters)."""
    user = request.user
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            stored = request.session.get(SEARCH_SESSION_KEY) or {}
            key = secrets.token_urlsafe(6)
            stored[key] = {
                k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in form.cleaned_data.items()
                if v not in (None, "")
            }
            while len(stored) > SEARCH_KEEP:
                stored.pop(next(iter(stored)))
            request.session[SEARCH_SESSION_KEY] = stored
            return redirect(f"{reverse('cases:list')}?s={key}")
    filters: dict = {}
    key = request.GET.get("s", "")
    if key:
        filters.update((request.session.get(SEARCH_SESSION_KEY) or {}).get(key, {}))
    for k in URL_FILTERS:
        if request.GET.get(k):
            filters[k] = request.GET[k]
    # A case number is not an identity value: it may come in the URL (links, bookmarks).
    if CASE_NUMBER_RE.match(request.GET.get("q", "").strip()) or CASE_PREFIX_RE.match(request.GET.get("q", "").strip()):
        filters["q"] = request.GET["q"].strip()
    form = SearchForm(initial=filters)
    errors = None
    page = CasePage(items=[], count=0, count_capped=False, has_more=False)
    if scope_for(user).has("victim.view"):
        args = {k: filters.get(k) or None for k in ("q", "region", "status", "exploitation")}
        try:
            for k in ("date_from", "date_to"):
                if filters.get(k):
                    args[k] = dt.date.fromisoformat(filters[k])
            page_no = request.GET.get("page", "")
            offset = (int(page_no) - 1) * 50 if page_no.isdigit() and 0 < int(page_no) <= 100_000 else 0
            page = case_search(
                user,
                offset=0 if request.GET.get("cursor") else offset,
                **args,
                sort=filters.get("sort") or "-date",
                cursor=request.GET.get("cursor"),
                limit=50,
            )
        except ValidationError as exc:
            errors = _error_text(exc)
        except ValueError:
            errors = "Tanggal tidak sah."
    idents = identities_for_cases(user, page.items, purpose="list") if page.items else {}
    labels = exploitation_labels(page.items) if page.items else {}
    rows = [(c, idents.get(c.pk), labels.get(c.pk, [])) for c in page.items]
    base_qs = request.GET.copy()
    base_qs.pop("cursor", None)
    base_qs.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "errors": errors,
            "base_qs": base_qs.urlencode(),
            "searching": bool(filters),
            "can_create": scope_for(user).has("victim.create"),
        },
    )


# --- register ------------------------------------------------------------------------------


@login_required
def case_register(request):
    scope = scope_for(request.user)
    if not scope.has("victim.create"):
        raise PermissionDenied
    candidates = None
    warnings: list[str] = []
    if request.method == "POST":
        form = RegisterForm(request.POST)
        draft = request.POST.get("action") == "draft"
        if form.is_valid():
            data = form.victim_data(draft=draft)
            if not draft and not form.cleaned_data.get("dup_ack"):
                candidates = find_candidates(request.user, data)
            if not candidates:
                try:
                    case = services.victim_register(actor=request.user, data=data, complete=True)
                except ValidationError as exc:
                    _apply_errors(form, exc)
                except PermissionDenied:
                    raise
                else:
                    from .validation import validate_victim_data

                    try:
                        warnings = registration_warnings(data, validate_victim_data(data))
                    except ValidationError:
                        warnings = []
                    for w in warnings:
                        messages.warning(request, w)
                    messages.success(request, ("Draf disimpan: " if draft else "Korban terdaftar: ") + case.case_number)
                    return redirect("cases:detail", case_id=case.pk)
            else:
                form.add_error(
                    "dup_ack",
                    "Ada kemungkinan data yang sama. Periksa daftar di atas, lalu centang "
                    "kotak ini jika ini orang yang berbeda.",
                )
    else:
        form = RegisterForm(initial={"identification_date": dt.date.today().isoformat(), "citizenship_status": "wni"})
    return render(request, "cases/register.html", {"form": form, "candidates": candidates, "editing": False})


def _lenient_data(post) -> dict:
    """The duplicate-relevant values of a half-filled form (no validation; for the live check)."""
    out = {
        k: (post.get(k) or "").strip()
        for k in ("full_name", "nik", "phone", "document_number", "sex", "origin_region", "domicile_region")
    }
    out["aliases"] = [a.strip() for a in (post.get("aliases") or "").splitlines() if a.strip()]
    for k in ("birth_date", "identification_date"):
        try:
            out[k] = dt.date.fromisoformat(post.get(k) or "")
        except ValueError:
            out[k] = None
    try:
        out["estimated_age"] = int(post.get("estimated_age") or "")
    except ValueError:
        out["estimated_age"] = None
    for k in ("origin_region", "domicile_region"):
        from .validation import resolve_region

        if out[k]:
            try:
                out[k] = resolve_region(out[k])
            except ValueError:
                out[k] = None
    return out


@login_required
@require_POST
def check_duplicates(request):
    """htmx: candidate existing records for the form as filled so far."""
    if not scope_for(request.user).has("victim.create"):
        raise PermissionDenied
    data = _lenient_data(request.POST)
    exclude = None
    if request.POST.get("case_id"):
        case = case_get_for_user(request.user, request.POST["case_id"])
        exclude = case.victim_id
    has_input = data["full_name"] or data["nik"] or data["phone"] or data["aliases"] or data["document_number"]
    candidates = find_candidates(request.user, data, exclude_victim=exclude) if has_input else []
    return render(request, "cases/_duplicates.html", {"candidates": candidates, "checked": bool(has_input)})


@login_required
@require_GET
def place_search(request):
    """htmx: <option>s for a region / country input (reference data only)."""
    if not scope_for(request.user).grants:
        raise PermissionDenied
    kind = request.GET.get("kind", "place")
    q = next((v for k, v in request.GET.items() if k != "kind" and v), "").strip()[:60]
    options: list[tuple[str, str]] = []
    if len(q) >= 2:
        from gugus.reference.regions import _fold, name_key

        if kind in ("region", "place"):
            if q[:2].isdigit():
                regs = Region.objects.filter(code__startswith=q.replace(" ", ""), level__in=[1, 2, 3])
            else:
                regs = Region.objects.filter(name_key__startswith=name_key(q)[0], level__in=[1, 2, 3])
            for r in regs.select_related("parent").order_by("level", "code")[:15]:
                parent = f" — {r.parent.name}" if r.parent_id and r.parent_id != "ID" else ""
                label = (
                    r.name
                    if r.name.lower().startswith(("kab", "kota", "prov"))
                    else (f"{r.get_kind_display()} {r.name}")
                )
                options.append((r.code, f"{label}{parent}"))
        if kind in ("country", "place"):
            folded = _fold(q)
            for c in Country.objects.order_by("name_id"):
                if _fold(c.name_id).startswith(folded) or _fold(c.name_en).startswith(folded) or c.code == q.upper():
                    options.append((c.code, c.name_id))
                if len(options) >= 25:
                    break
    return render(request, "cases/_options.html", {"options": options})


# --- case file -----------------------------------------------------------------------------


@login_required
def case_detail(request, case_id):
    user = request.user
    case = case_get_for_user(user, case_id)
    case = Case.objects.select_related(
        "victim",
        "victim__sex",
        "victim__citizenship",
        "victim__citizenship_status",
        "victim__disability",
        "victim__education",
        "victim__occupation",
        "victim__domicile_region",
        "owner_org",
        "registering_org",
        "region",
        "origin_region",
        "identification_channel",
        "sector",
        "recruiter_relation",
        "destination_country",
        "closure_reason",
    ).get(pk=case.pk)
    identity = identity_get_for_user(user, case, purpose="case_file")
    scope = scope_for(user)
    can_edit = case_allows(user, case, "victim.edit")
    show_perp_names = identity is not None or scope.has("legal.edit")
    merges = VictimMerge.objects.filter(target=case.victim).select_related("merged_by", "undone_by")
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "victim": case.victim,
            "identity": identity,
            "aliases": identity.aliases.splitlines() if identity else [],
            "route": case.route.select_related("region", "region__parent", "country"),
            "perpetrators": case.perpetrators.select_related("sex", "nationality", "relation").order_by("created_at"),
            "show_perp_names": show_perp_names,
            "consents": case.consents.select_related("purpose", "recorded_by"),
            "status_history": case.status_history.select_related("by", "closure_reason"),
            "events": case_timeline(case),
            "panels": render_case_panels(request, case),
            "exploitation": case.exploitation_forms.all(),
            "means": case.means.all(),
            "acts": case.acts.all(),
            "can_edit": can_edit,
            "can_consent": case_allows(user, case, "consent.edit"),
            "can_merge": case_allows(user, case, "victim.merge"),
            "merges": merges,
            "status_form": StatusForm(initial={"version": case.version}),
            "next_statuses": [
                (s, CaseStatus(s).label) for s in sorted(services.ALLOWED_TRANSITIONS.get(case.status, ()))
            ],
            "consent_form": ConsentForm(
                initial={"date": dt.date.today().isoformat(), "given_by": "guardian" if case.is_child else "victim"}
            ),
            "perp_form": PerpetratorForm(),
        },
    )


@login_required
@require_GET
def case_identity(request, case_id):
    """The identity section alone (htmx or direct); audited; 403 when not permitted."""
    case = case_get_for_user(request.user, case_id)
    identity = identity_get_for_user(request.user, case, purpose="identity_section")
    if identity is None:
        raise PermissionDenied
    return render(
        request, "cases/_identity.html", {"case": case, "identity": identity, "aliases": identity.aliases.splitlines()}
    )


# --- edit ----------------------------------------------------------------------------------


def _display(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(
            str(v) if not hasattr(v, "stage") else f"{v.stage}: {v.region_code or v.country_code}" for v in value
        )
    return str(value)


@login_required
def case_edit(request, case_id):
    user = request.user
    case = case_get_for_user(user, case_id)
    if not case_allows(user, case, "victim.edit"):
        raise PermissionDenied
    identity_ok = can_view_identity(user, case) and scope_for(user).has("identity.edit")
    current = services.victim_data_for_case(case)
    conflict_fields: dict[str, str] = {}
    if request.method == "POST":
        form = EditForm(request.POST, identity=identity_ok)
        if form.is_valid():
            changes = form.values()
            register_now = request.POST.get("action") == "register" and case.status == CaseStatus.DRAFT
            try:
                case = services.victim_update(
                    actor=user, case=case, changes=changes, expected_version=form.cleaned_data["version"]
                )
                if register_now:
                    services.case_submit_draft(actor=user, case=case)
            except Conflict as exc:
                seen = unsign_digests(form.cleaned_data.get("orig") or "") or {}
                fresh = Case.objects.get(pk=case.pk)
                now_data = services.victim_data_for_case(fresh)
                now = field_digests(case.pk, now_data, identity=identity_ok)
                changed = [f for f, d in seen.items() if now.get(f) != d] or list(exc.changed_fields)
                for f in changed:
                    if f in form.fields or f == "route":
                        conflict_fields[services.FIELD_LABELS.get(f, f)] = _display(getattr(now_data, f, None))
                data = request.POST.copy()
                data["version"] = str(fresh.version)
                data["orig"] = sign_digests(now)
                form = EditForm(data, identity=identity_ok)
                form.is_valid()
                labels = [services.FIELD_LABELS.get(f, f) for f in changed]
                form.add_error(
                    None,
                    "Data ini telah diubah oleh pengguna lain sejak Anda membukanya; perubahan Anda "
                    "BELUM disimpan."
                    + (f" Yang berubah: {', '.join(labels)}." if labels else "")
                    + " Periksa nilai terbaru di bawah, lalu simpan lagi.",
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Perubahan disimpan." + (" Kasus terdaftar." if register_now else ""))
                return redirect("cases:detail", case_id=case.pk)
    else:
        if identity_ok:
            identity_get_for_user(user, case, purpose="edit")
        initial = VictimForm.initial_from(current, identity=identity_ok)
        initial["version"] = case.version
        initial["orig"] = sign_digests(field_digests(case.pk, current, identity=identity_ok))
        form = EditForm(initial=initial, identity=identity_ok)
    return render(
        request,
        "cases/register.html",
        {
            "form": form,
            "case": case,
            "editing": True,
            "conflict_fields": conflict_fields,
            "is_draft": case.status == CaseStatus.DRAFT,
        },
    )


# --- status, consent, perpetrators ------------------------------------------------------------


@login_required
@require_POST
def case_status(request, case_id):
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, "victim.edit"):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Status tidak sah.")
        return redirect("cases:detail", case_id=case.pk)
    try:
        services.case_change_status(
            actor=request.user,
            case=case,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            closure_reason=form.cleaned_data["closure_reason"] or None,
            expected_version=form.cleaned_data["version"],
        )
        messages.success(request, f"Status diubah menjadi {CaseStatus(form.cleaned_data['to_status']).label}.")
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def consent_add(request, case_id):
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, "consent.edit"):
        raise PermissionDenied
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(actor=request.user, case=case, **form.cleaned_data)
            messages.success(request, "Persetujuan dicatat.")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(
            request,
            "Data persetujuan tidak lengkap: "
            + "; ".join(
                f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields else " ".join(e)
                for f, e in form.errors.items()
            ),
        )
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#persetujuan")


@login_required
@require_POST
def consent_withdraw(request, case_id, consent_id):
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, "consent.edit"):
        raise PermissionDenied
    consent = get_object_or_404(Consent, pk=consent_id, case=case)
    try:
        services.consent_withdraw(actor=request.user, consent=consent)
        messages.success(request, "Persetujuan dicabut.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#persetujuan")


@login_required
@require_POST
def perpetrator_add(request, case_id):
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, "victim.edit"):
        raise PermissionDenied
    form = PerpetratorForm(request.POST)
    if form.is_valid():
        try:
            services.perpetrator_add(
                actor=request.user,
                case=case,
                **{
                    k: v or None if k in ("sex", "relation", "nationality") else v for k, v in form.cleaned_data.items()
                },
            )
            messages.success(request, "Terduga pelaku dicatat.")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, "Data pelaku tidak sah.")
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#pelaku")


@login_required
@require_POST
def perpetrator_remove(request, case_id, perpetrator_id):
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, "victim.edit"):
        raise PermissionDenied
    p = get_object_or_404(Perpetrator, pk=perpetrator_id, case=case)
    services.perpetrator_remove(actor=request.user, perpetrator=p)
    messages.success(request, "Catatan pelaku dihapus.")
    return redirect(reverse("cases:detail", kwargs={"case_id": case.pk}) + "#pelaku")


# --- merge ---------------------------------------------------------------------------------


@login_required
def case_merge(request, case_id):
    """Supervisor: merge this case's victim into the victim of another case (a duplicate)."""
    case = case_get_for_user(request.user, case_id)
    if not case_allows(request.user, case, "victim.merge"):
        raise PermissionDenied
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = (
            cases_visible_to(request.user, "victim.merge")
            .filter(case_number=form.cleaned_data["target_number"].strip())
            .first()
        )
        if target is None:
            form.add_error("target_number", "Nomor kasus tidak ditemukan dalam cakupan Anda.")
        else:
            try:
                services.victim_merge(
                    actor=request.user, source_case=case, target_case=target, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"Data korban digabung ke kasus {target.case_number}. Dapat dibatalkan.")
                return redirect("cases:detail", case_id=target.pk)
    candidates = find_candidates(request.user, services.victim_data_for_case(case), exclude_victim=case.victim_id)
    return render(request, "cases/merge.html", {"case": case, "form": form, "candidates": candidates})


@login_required
@require_POST
def case_unmerge(request, merge_id):
    merge = get_object_or_404(VictimMerge, pk=merge_id)
    visible = cases_visible_to(request.user, "victim.merge").filter(pk__in=merge.moved_case_ids).first()
    if visible is None:
        raise Http404
    try:
        services.victim_unmerge(actor=request.user, merge=merge, reason=request.POST.get("reason", ""))
        messages.success(request, "Penggabungan dibatalkan; kasus kembali ke data korban semula.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("cases:detail", case_id=visible.pk)
