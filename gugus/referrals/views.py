"""Pages: inbox, hand-over detail and actions, the create form from the case file (htmx),
notifications, coordination meetings and action items, measures. Thin: parse → service/selector → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gugus.accounts.scope import scope_for
from gugus.cases.selectors import case_get_for_user, cases_visible_to
from gugus.core.errors import Conflict

from . import selectors as sel
from . import services
from .forms import ActionItemForm, ActionStatusForm, DecisionForm, MeetingForm, ReasonForm, ReferralForm
from .models import Kind, Status


def _require(user, perm: str) -> None:
    if not scope_for(user).has(perm):
        raise Http404


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# ---------------------------------------------------------------- inbox and detail


BOX_LABELS = {
    "inbox": "Menunggu keputusan",
    "progress": "Sedang berjalan",
    "sent": "Terkirim",
    "overdue": "Terlambat",
    "all": "Semua",
}


@login_required
def inbox(request):
    _require(request.user, "referral.view")
    box = request.GET.get("box", "inbox")
    if box not in sel.BOXES:
        box = "inbox"
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else None
    today = timezone.localdate()
    qs = sel.referrals_box(request.user, box, kind=kind, today=today)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    counts = sel.inbox_counts(request.user, today=today)
    return render(
        request,
        "referrals/inbox.html",
        {
            "page": page,
            "box": box,
            "kind": kind,
            "today": today,
            "boxes": [(key, label, counts.get(key)) for key, label in BOX_LABELS.items()],
        },
    )


def _detail_context(request, ref, **extra):
    user = request.user
    scope = scope_for(user)
    act_orgs = scope.orgs_with("referral.act")
    send_orgs = scope.orgs_with("referral.send")
    is_receiver = ref.to_org_id in act_orgs
    is_sender = ref.from_org_id in send_orgs
    ctx = {
        "ref": ref,
        "history": sel.referral_history(ref),
        "today": timezone.localdate(),
        "case_visible": cases_visible_to(user).filter(pk=ref.case_id).exists(),
        "can_decide": is_receiver and ref.status == Status.SENT,
        "can_complete": (is_receiver or is_sender) and ref.status == Status.ACCEPTED and not ref.is_transfer,
        "can_cancel": is_sender
        and (ref.status == Status.SENT or (ref.status == Status.ACCEPTED and not ref.is_transfer)),
        "decision_form": DecisionForm(initial={"version": ref.version}),
        "reason_form": ReasonForm(initial={"version": ref.version}),
    }
    ctx.update(extra)
    return ctx


@login_required
def detail(request, referral_id):
    ref = sel.referral_get_for_user(request.user, referral_id)
    return render(request, "referrals/detail.html", _detail_context(request, ref))


# action: (service, the form field it takes, the message once done; None = said by kind)
_ACTIONS = {
    "accept": (services.referral_accept, "note", None),
    "decline": (services.referral_decline, "reason", "Rujukan ditolak; pengirim diberi tahu."),
    "complete": (services.referral_complete, "note", "Rujukan dinyatakan selesai."),
    "cancel": (services.referral_cancel, "reason", "Rujukan dibatalkan; akses yang diberikannya dicabut."),
}


def _act(request, referral_id, action: str):
    ref = sel.referral_get_for_user(request.user, referral_id)
    fn, text_field, done = _ACTIONS[action]
    form_cls = ReasonForm if text_field == "reason" else DecisionForm
    form = form_cls(request.POST)
    if not form.is_valid():
        ctx = _detail_context(
            request, ref, **{"reason_form" if form_cls is ReasonForm else "decision_form": form}, failed_action=action
        )
        return render(request, "referrals/detail.html", ctx, status=422)
    data = form.cleaned_data
    try:
        fn(actor=request.user, referral=ref, expected_version=data.get("version"), **{text_field: data[text_field]})
    except (ValidationError, Conflict) as exc:
        conflict = isinstance(exc, Conflict)
        messages.error(request, exc.message if conflict else _error_text(exc))
        ref = sel.referral_get_for_user(request.user, referral_id)
        return render(request, "referrals/detail.html", _detail_context(request, ref), status=409 if conflict else 422)
    if done is None:
        done = (
            "Rujukan diterima."
            if not ref.is_transfer
            else "Pengalihan diterima; organisasi Anda kini penanggung jawab kasus."
        )
    messages.success(request, done)
    return redirect("referrals:detail", referral_id=ref.pk)


@login_required
@require_POST
def accept(request, referral_id):
    return _act(request, referral_id, "accept")


@login_required
@require_POST
def decline(request, referral_id):
    return _act(request, referral_id, "decline")


@login_required
@require_POST
def complete(request, referral_id):
    return _act(request, referral_id, "complete")


@login_required
@require_POST
def cancel(request, referral_id):
    return _act(request, referral_id, "cancel")


@login_required
def create(request, case_id):
    """The hand-over form, from the case file (htmx partial) or as a page."""
    case = case_get_for_user(request.user, case_id)
    senders = sel.sender_orgs_for(request.user, case)
    if not senders:
        raise Http404
    consent = sel.share_consent_for(case)
    template = "referrals/_create_form.html" if request.htmx else "referrals/create.html"
    options_url = reverse("referrals:receiver_options", args=[case.pk])
    if request.method == "POST":
        form = ReferralForm(request.POST, sender_orgs=senders, case=case, options_url=options_url)
        if form.is_valid():
            d = form.cleaned_data
            try:
                ref = services.referral_send(
                    actor=request.user,
                    case=case,
                    from_org=d.get("from_org") or None,
                    data=services.HandoverData(
                        to_org=d["to_org"],
                        due_date=d["due_date"],
                        reason=d["reason"],
                        kind=d["kind"],
                        service_type=d["service_type"].code if d.get("service_type") else None,
                        consent_override_reason=d.get("consent_override_reason", ""),
                    ),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, "Rujukan terkirim; organisasi tujuan diberi tahu.")
                url = reverse("referrals:detail", args=[ref.pk])
                if request.htmx:
                    resp = HttpResponse(status=204)
                    resp["HX-Redirect"] = url
                    return resp
                return redirect(url)
        return render(request, template, {"case": case, "form": form, "consent": consent}, status=422)
    form = ReferralForm(
        sender_orgs=senders,
        case=case,
        options_url=options_url,
        initial={
            "from_org": senders[0].pk if len(senders) == 1 else None,
            "kind": request.GET.get("kind", Kind.REFERRAL),
        },
    )
    return render(request, template, {"case": case, "form": form, "consent": consent})


@login_required
def receiver_options(request, case_id):
    """htmx: the <option>s of organisations able to receive this kind/service for this case."""
    case = case_get_for_user(request.user, case_id)
    senders = sel.sender_orgs_for(request.user, case)
    if not senders:
        raise Http404
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.REFERRAL
    service = (request.GET.get("service_type") or "")[:48] or None
    orgs = sel.receiver_orgs_for(case, kind=kind, service_code=service, exclude=[o.pk for o in senders])
    field = ReferralForm.base_fields["to_org"]
    return render(
        request, "referrals/_org_options.html", {"options": [(o.pk, field.label_from_instance(o)) for o in orgs]}
    )


# ---------------------------------------------------------------- notifications


@login_required
def notification_list(request):
    qs = sel.notifications_for(request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "referrals/notifications.html", {"page": page, "unread": sel.unread_count(request.user)})


@login_required
def notification_badge(request):
    return render(request, "referrals/_badge.html", {"unread": sel.unread_count(request.user)})


@login_required
@require_POST
def notification_read(request, notification_id):
    n = sel.notification_get_for_user(request.user, notification_id)
    services.notification_mark_read(actor=request.user, notification=n)
    if n.url and n.url.startswith("/"):
        return redirect(n.url)
    return redirect("referrals:notifications")


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(actor=request.user)
    if request.htmx:
        return render(request, "referrals/_badge.html", {"unread": 0})
    return redirect("referrals:notifications")


# ---------------------------------------------------------------- meetings


@login_required
def meeting_list(request):
    qs = sel.meetings_visible_to(request.user).select_related("region", "secretariat").order_by("-date")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    overdue = sel.action_items_box(request.user, "overdue")[:50]
    return render(
        request,
        "referrals/meetings.html",
        {
            "page": page,
            "overdue": overdue,
            "can_create": scope_for(request.user).has("meeting.edit"),
            "today": timezone.localdate(),
        },
    )


@login_required
def meeting_create(request):
    _require(request.user, "meeting.edit")
    scope = scope_for(request.user)
    initial = {"region": scope.widest_region, "date": timezone.localdate()}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            m = services.meeting_create(
                actor=request.user,
                region_code=d["region"].code,
                date=d["date"],
                title=d["title"],
                participants=list(d["participants"]),
                decisions=d["decisions"],
                notes=d["notes"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Rapat koordinasi dicatat.")
            return redirect("referrals:meeting_detail", meeting_id=m.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "referrals/meeting_form.html", {"form": form, "meeting": None}, status=status)


@login_required
def meeting_edit(request, meeting_id):
    meeting = sel.meeting_get_for_user(request.user, meeting_id)
    if not sel.can_edit_meeting(request.user, meeting):
        raise Http404
    initial = {
        "region": meeting.region,
        "date": meeting.date,
        "title": meeting.title,
        "participants": list(meeting.participants.all()),
        "decisions": meeting.decisions,
        "notes": meeting.notes,
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    form.fields["region"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                expected_version=d.get("version"),
                date=d["date"],
                title=d["title"],
                decisions=d["decisions"],
                notes=d["notes"],
                participants=list(d["participants"]),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Rapat diperbarui.")
            return redirect("referrals:meeting_detail", meeting_id=meeting.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "referrals/meeting_form.html", {"form": form, "meeting": meeting}, status=status)


@login_required
def meeting_detail(request, meeting_id, item_form=None, status=200):
    meeting = sel.meeting_get_for_user(request.user, meeting_id)
    can_edit = sel.can_edit_meeting(request.user, meeting)
    items = meeting.action_items.select_related("owner_org").order_by("deadline")
    return render(
        request,
        "referrals/meeting_detail.html",
        {
            "meeting": meeting,
            "participants": meeting.participants.order_by("name"),
            "items": items,
            "can_edit": can_edit,
            "item_form": item_form or (ActionItemForm(meeting=meeting) if can_edit else None),
            "updatable": {i.pk for i in items if sel.can_update_action_item(request.user, i)},
            "status_choices": ActionStatusForm.base_fields["status"].choices,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def action_item_add(request, meeting_id):
    meeting = sel.meeting_get_for_user(request.user, meeting_id)
    form = ActionItemForm(request.POST, meeting=meeting)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.action_item_add(
                actor=request.user,
                meeting=meeting,
                description=d["description"],
                owner_org=d["owner_org"],
                deadline=d["deadline"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Tindak lanjut ditambahkan.")
            return redirect("referrals:meeting_detail", meeting_id=meeting.pk)
    return meeting_detail(request, meeting_id, item_form=form, status=422)


@login_required
def action_item_list(request):
    box = request.GET.get("box", "mine")
    if box not in sel.ITEM_BOXES:
        box = "mine"
    qs = sel.action_items_box(request.user, box)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/action_items.html",
        {
            "page": page,
            "box": box,
            "today": timezone.localdate(),
            "box_choices": [
                ("mine", "Milik organisasi saya"),
                ("secretariat", "Rapat sekretariat saya"),
                ("overdue", "Terlambat"),
                ("all", "Semua"),
            ],
        },
    )


@login_required
@require_POST
def action_item_status(request, item_id):
    item = sel.action_item_get_for_user(request.user, item_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.action_item_set_status(
                actor=request.user, item=item, status=d["status"], note=d["note"], expected_version=d.get("version")
            )
            messages.success(request, "Status tindak lanjut diperbarui.")
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return meeting_detail(request, item.meeting_id, status=422)
        except Conflict as exc:
            messages.error(request, exc.message)
            return meeting_detail(request, item.meeting_id, status=409)
    else:
        messages.error(request, "Status tidak dikenal.")
        return meeting_detail(request, item.meeting_id, status=422)
    nxt = request.POST.get("next", "")
    if nxt.startswith("/rujukan/"):
        return redirect(nxt)
    return redirect("referrals:meeting_detail", meeting_id=item.meeting_id)


# ---------------------------------------------------------------- measures


@login_required
def measures(request):
    by = request.GET.get("by", "org") if request.GET.get("by") in ("org", "region") else "org"
    level = 1 if request.GET.get("level") == "1" else 2
    rows = sel.referral_measures_visible_to(request.user, by=by, level=level)
    if rows is None:
        raise Http404
    return render(request, "referrals/measures.html", {"rows": rows, "by": by, "level": level})
