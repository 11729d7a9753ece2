"""Reads of hand-overs, notifications, meetings and action items — always with the user.

Who sees a hand-over (referral or transfer):
- the users of the sending and the receiving organisation (with `referral.view`) — so a
  receiver sees what waits for it before it has any access to the case;
- users who see the case *as a whole*: its owner and registering organisation, and an
  organisation holding a grant that came from a transfer (org reach);
- region-reach roles (secretariats, stewards, law enforcement) whose region covers the case's
  region or region of origin.
A service-level grant (an accepted referral) does NOT reveal the case's other hand-overs.
Out of scope and missing answer the same: Http404.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from dataclasses import dataclass, field

from django.db.models import Case as Case_
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from gugus.accounts.models import Organisation
from gugus.accounts.scope import scope_for
from gugus.cases.models import Case, CaseAccess, Consent

from .models import (
    ACTION_OPEN,
    ActionItem,
    Kind,
    Meeting,
    Notification,
    Referral,
    Status,
    open_q,
)

SHARE_PURPOSE = "consent_purpose.share_referral"


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404


# ---------------------------------------------------------------- referrals


def referrals_visible_to(user) -> QuerySet[Referral]:
    scope = scope_for(user)
    if not scope.has("referral.view"):
        return Referral.objects.none()
    party = scope.orgs_with("referral.view")
    q = Q(from_org__in=party) | Q(to_org__in=party)
    qs = Referral.objects.all()
    own = scope.orgs_with("referral.view", reach=("org", "region"))
    if own:
        qs = qs.annotate(
            _transfer_access=Exists(
                CaseAccess.objects.filter(
                    case=OuterRef("case"), organisation__in=own, source_type="transfer", revoked_at__isnull=True
                )
            )
        )
        q |= Q(case__owner_org__in=own) | Q(case__registering_org__in=own) | Q(_transfer_access=True)
    q |= scope.region_q("referral.view", "case__region__code", "case__origin_region__code")
    return qs.filter(q)


def _with_related(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related(
        "case",
        "from_org",
        "to_org",
        "service_type",
        "to_org__region",
        "from_org__region",
        "to_org__country",
        "from_org__country",
    )


def referral_get_for_user(user, referral_id) -> Referral:
    rid = _uuid_or_404(referral_id)
    ref = _with_related(referrals_visible_to(user)).filter(pk=rid).first()
    if ref is None:
        from gugus.audit.services import record

        record("access_denied_or_missing", actor=user, object_type="referral", object_id=str(referral_id)[:64])
        raise Http404
    return ref


BOXES = ("inbox", "progress", "sent", "overdue", "all")


def referrals_box(
    user,
    box: str = "all",
    *,
    org_id=None,
    kind: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Referral]:
    """The inbox views of one user. `inbox`: waiting for a decision by my organisation(s);
    `progress`: accepted by my organisation(s), not yet completed; `sent`: sent by my
    organisation(s), any state; `overdue`: every visible hand-over past its due date and still
    open (sent or accepted); `all`: everything visible."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    qs = referrals_visible_to(user)
    mine = scope.orgs_with("referral.view")
    if org_id:
        oid = _uuid_or_404(org_id)
        mine = {o for o in mine if o == oid}
    if box == "inbox":
        qs = qs.filter(to_org__in=mine, status=Status.SENT)
    elif box == "progress":
        qs = qs.filter(to_org__in=mine, status=Status.ACCEPTED, kind=Kind.REFERRAL)
    elif box == "sent":
        qs = qs.filter(from_org__in=mine)
    elif box == "overdue":
        qs = qs.filter(open_q(), due_date__lt=today)
        if org_id:
            qs = qs.filter(Q(to_org__in=mine) | Q(from_org__in=mine))
    elif org_id:
        qs = qs.filter(Q(to_org__in=mine) | Q(from_org__in=mine))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    order = ["due_date", "-sent_at"] if box in ("inbox", "progress", "overdue") else ["-sent_at"]
    return _with_related(qs).order_by(*order)


def inbox_counts(user, today: dt.date | None = None) -> dict[str, int]:
    return {box: referrals_box(user, box, today=today).count() for box in ("inbox", "progress", "sent", "overdue")}


def referrals_for_case(user, case: Case) -> QuerySet[Referral]:
    """Hand-overs of one case this user may see (a service provider: only its own)."""
    return _with_related(referrals_visible_to(user).filter(case=case)).order_by("sent_at")


def referral_history(referral: Referral):
    return referral.history.select_related("by", "organisation").order_by("at", "id")


def share_consent_for(case: Case) -> Consent | None:
    """The victim's current consent to share data for referral: the latest `share_referral`
    record, if it grants and has not been withdrawn. A later refusal cancels an earlier grant."""
    latest = Consent.objects.filter(case=case, purpose_id=SHARE_PURPOSE).order_by("-date", "-created_at").first()
    if latest is None or not latest.granted or latest.withdrawn_on is not None:
        return None
    return latest


def sender_orgs_for(user, case: Case) -> list[Organisation]:
    """Organisations on whose behalf this user may hand this case over: those holding
    `referral.send` that own the case or hold full access to it (from a transfer)."""
    scope = scope_for(user)
    orgs = scope.orgs_with("referral.send")
    if not orgs:
        return []
    eligible = {case.owner_org_id} & orgs
    eligible |= set(
        CaseAccess.objects.filter(case=case, organisation__in=orgs, level="full", revoked_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    return list(Organisation.objects.filter(pk__in=eligible).order_by("name"))


def receiver_orgs_for(
    case: Case | None = None, *, kind: str = Kind.REFERRAL, service_code: str | None = None, exclude=()
) -> QuerySet[Organisation]:
    """Form choices: active organisations able to receive this hand-over (by `rules`), those in
    the case's province (then its region of origin's province) first. The service checks again."""
    from .rules import SERVICE_ORG_TYPES, TRANSFER_ORG_TYPES

    qs = Organisation.objects.filter(active=True).exclude(pk__in=list(exclude))
    if kind == Kind.TRANSFER:
        qs = qs.filter(org_type__in=[f"org_type.{t}" for t in TRANSFER_ORG_TYPES])
    elif service_code in SERVICE_ORG_TYPES:
        qs = qs.filter(org_type__in=[f"org_type.{t}" for t in SERVICE_ORG_TYPES[service_code]])
    order = []
    if case is not None:
        victim = case.victim
        foreign = victim.citizenship_status_id == "citizenship_status.wna" or victim.citizenship_id not in (None, "ID")
        if foreign and victim.citizenship_id:
            qs = qs.exclude(Q(org_type="org_type.foreign_embassy") & ~Q(country=victim.citizenship_id))
        elif not foreign:
            qs = qs.exclude(org_type="org_type.foreign_embassy")
        if foreign and kind == Kind.REFERRAL and service_code == "repatriation":
            from .rules import FOREIGN_REPATRIATION_TYPES

            qs = qs.filter(org_type__in=[f"org_type.{t}" for t in FOREIGN_REPATRIATION_TYPES])
        near = [c.split(".")[0] for c in (case.region_id, case.origin_region_id) if c and c != "ID"]
        whens = [When(region__code__startswith=f"{p}.", then=Value(i)) for i, p in enumerate(near)]
        whens += [When(region__code=p, then=Value(i)) for i, p in enumerate(near)]
        if whens:
            qs = qs.annotate(_near=Case_(*whens, default=Value(9), output_field=IntegerField()))
            order.append("_near")
    return qs.select_related("org_type", "region", "country").order_by(*order, "name")


# ---------------------------------------------------------------- notifications


def notifications_for(user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notification_get_for_user(user, notification_id) -> Notification:
    nid = _uuid_or_404(notification_id)
    n = notifications_for(user).filter(pk=nid).first()
    if n is None:
        raise Http404
    return n


# ---------------------------------------------------------------- meetings and action items


def _user_org_ids(user) -> set:
    return {g.organisation_id for g in scope_for(user).grants}


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """A meeting is visible to the users of its secretariat, of its participant organisations,
    of organisations owning one of its action items, and to secretariats (`meeting.edit`)
    whose region covers the meeting's region."""
    scope = scope_for(user)
    orgs = _user_org_ids(user)
    if not orgs:
        return Meeting.objects.none()
    q = (
        Q(secretariat__in=orgs)
        | Q(pk__in=Meeting.participants.through.objects.filter(organisation_id__in=orgs).values("meeting_id"))
        | Q(pk__in=ActionItem.objects.filter(owner_org__in=orgs).values("meeting_id"))
        | scope.region_q("meeting.edit", "region__code")
    )
    return Meeting.objects.filter(q)


def meeting_get_for_user(user, meeting_id) -> Meeting:
    mid = _uuid_or_404(meeting_id)
    m = meetings_visible_to(user).filter(pk=mid).select_related("region", "secretariat").first()
    if m is None:
        raise Http404
    return m


def can_edit_meeting(user, meeting: Meeting) -> bool:
    scope = scope_for(user)
    return meeting.secretariat_id in scope.orgs_with("meeting.edit") or scope.covers_region(
        "meeting.edit", meeting.region_id
    )


def action_items_visible_to(user) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(meeting__in=meetings_visible_to(user))


def action_item_get_for_user(user, item_id) -> ActionItem:
    iid = _uuid_or_404(item_id)
    item = (
        action_items_visible_to(user).filter(pk=iid).select_related("meeting", "owner_org", "meeting__region").first()
    )
    if item is None:
        raise Http404
    return item


ITEM_BOXES = ("mine", "secretariat", "overdue", "all")


def action_items_box(user, box: str = "all", *, today: dt.date | None = None) -> QuerySet[ActionItem]:
    """`mine`: owned by my organisation(s); `secretariat`: of meetings my organisation convened
    or that lie in my `meeting.edit` region; `overdue`: open items past their deadline that
    are mine or my secretariat's; `all`: every visible item."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    orgs = _user_org_ids(user)
    qs = action_items_visible_to(user)
    secretariat_q = Q(meeting__secretariat__in=scope.orgs_with("meeting.edit")) | scope.region_q(
        "meeting.edit", "meeting__region__code"
    )
    if box == "mine":
        qs = qs.filter(owner_org__in=orgs)
    elif box == "secretariat":
        qs = qs.filter(secretariat_q)
    elif box == "overdue":
        qs = qs.filter(Q(owner_org__in=orgs) | secretariat_q, status__in=ACTION_OPEN, deadline__lt=today)
    return qs.select_related("meeting", "owner_org", "meeting__region", "meeting__secretariat").order_by(
        "deadline", "created_at"
    )


def can_update_action_item(user, item: ActionItem) -> bool:
    from .services import ACTION_ITEM_PERMS

    scope = scope_for(user)
    if can_edit_meeting(user, item.meeting):
        return True
    return any(g.organisation_id == item.owner_org_id and g.perms & ACTION_ITEM_PERMS for g in scope.grants)


# ---------------------------------------------------------------- measures (for monitoring)


@dataclass
class ReferralMeasure:
    """Hand-over measures for one receiving organisation or one region (see docs/referrals.md)."""

    key: str
    label: str
    sent: int = 0
    accepted: int = 0  # ever accepted (status accepted or completed, or accepted then cancelled)
    declined: int = 0
    completed: int = 0
    cancelled: int = 0
    waiting: int = 0  # status sent
    in_progress: int = 0  # status accepted
    overdue_unanswered: int = 0  # status sent, past due date
    overdue_in_progress: int = 0  # status accepted, past due date
    days_to_accept: list[float] = field(default_factory=list, repr=False)

    @property
    def overdue(self) -> int:
        return self.overdue_unanswered + self.overdue_in_progress

    @property
    def decided(self) -> int:
        return self.accepted + self.declined

    @property
    def median_days_to_accept(self) -> float | None:
        return round(statistics.median(self.days_to_accept), 1) if self.days_to_accept else None

    @property
    def mean_days_to_accept(self) -> float | None:
        return round(statistics.fmean(self.days_to_accept), 1) if self.days_to_accept else None

    @property
    def share_declined(self) -> float | None:
        """Declined ÷ decided (accepted + declined); None when nothing was decided."""
        return round(self.declined / self.decided, 3) if self.decided else None

    @property
    def share_completed(self) -> float | None:
        """Completed ÷ accepted; None when nothing was accepted."""
        return round(self.completed / self.accepted, 3) if self.accepted else None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "sent": self.sent,
            "accepted": self.accepted,
            "declined": self.declined,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "waiting": self.waiting,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "overdue_unanswered": self.overdue_unanswered,
            "overdue_in_progress": self.overdue_in_progress,
            "median_days_to_accept": self.median_days_to_accept,
            "mean_days_to_accept": self.mean_days_to_accept,
            "share_declined": self.share_declined,
            "share_completed": self.share_completed,
        }


def _region_key(region_code: str, country_code: str | None, level: int) -> str:
    if country_code and country_code != "ID":
        return f"LN-{country_code}"
    if region_code == "ID":
        return "ID"
    return ".".join(region_code.split(".")[:level])


def referral_measures(
    qs: QuerySet[Referral], *, by: str = "org", level: int = 2, side: str = "receiver", today: dt.date | None = None
) -> list[ReferralMeasure]:
    """Measures over a queryset of hand-overs, grouped by the receiving (or sending)
    organisation (`by="org"`) or its region (`by="region"`, `level` 1 = province, 2 = kab/kota;
    organisations abroad group under `LN-<country>`). Unscoped: callers pass a scoped queryset
    (`referral_measures_visible_to`) or, for precomputed indicators, `Referral.objects.all()`."""
    if by not in ("org", "region"):
        raise ValueError("by must be 'org' or 'region'")
    today = today or timezone.localdate()
    prefix = "to_org" if side == "receiver" else "from_org"
    rows = qs.values_list(
        "kind",
        "status",
        "due_date",
        "sent_at",
        "accepted_at",
        f"{prefix}_id",
        f"{prefix}__name",
        f"{prefix}__region_id",
        f"{prefix}__region__name",
        f"{prefix}__country_id",
    )
    out: dict[str, ReferralMeasure] = {}
    for kind, status, due, sent_at, accepted_at, org_id, org_name, region_id, region_name, country in rows.iterator():
        if kind == Kind.TRANSFER and status == Status.ACCEPTED:
            status = Status.COMPLETED  # an accepted transfer is done: responsibility has moved
        if by == "org":
            key, label = str(org_id), org_name
        else:
            key = _region_key(region_id, country, level)
            label = key if key != region_id else region_name
        m = out.get(key)
        if m is None:
            m = out[key] = ReferralMeasure(key=key, label=label)
        m.sent += 1
        if accepted_at is not None:
            m.accepted += 1
            m.days_to_accept.append((accepted_at - sent_at).total_seconds() / 86400)
        if status == Status.DECLINED:
            m.declined += 1
        elif status == Status.COMPLETED:
            m.completed += 1
        elif status == Status.CANCELLED:
            m.cancelled += 1
        elif status == Status.SENT:
            m.waiting += 1
            if due < today:
                m.overdue_unanswered += 1
        elif status == Status.ACCEPTED:
            m.in_progress += 1
            if due < today:
                m.overdue_in_progress += 1
    if by == "region":
        _label_regions(out)
    return sorted(out.values(), key=lambda m: m.key)


def _label_regions(out: dict[str, ReferralMeasure]) -> None:
    from gugus.reference.models import Country, Region

    codes = [k for k in out if not k.startswith("LN-")]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    countries = dict(
        Country.objects.filter(code__in=[k[3:] for k in out if k.startswith("LN-")]).values_list("code", "name_id")
    )
    for key, m in out.items():
        m.label = f"Luar negeri: {countries.get(key[3:], key[3:])}" if key.startswith("LN-") else names.get(key, key)


def referral_measures_visible_to(
    user,
    *,
    by: str = "org",
    level: int = 2,
    side: str = "receiver",
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
):
    """Measures over what this user may see: hand-overs visible to them, or — for aggregate-only
    roles — every hand-over whose case lies in their `aggregate.view` region (counts only)."""
    scope = scope_for(user)
    if scope.has("referral.view"):
        qs = referrals_visible_to(user)
    elif scope.has("aggregate.view"):
        qs = Referral.objects.filter(
            scope.region_q("aggregate.view", "case__region__code", "case__origin_region__code")
        )
    else:
        return None
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(sent_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(sent_at__date__lte=date_to)
    return referral_measures(qs, by=by, level=level, side=side, today=today)


def overdue_counts(qs: QuerySet[Referral], today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    base = qs.filter(due_date__lt=today)
    return {
        "unanswered": base.filter(status=Status.SENT).count(),
        "in_progress": base.filter(status=Status.ACCEPTED, kind=Kind.REFERRAL).count(),
    }


# ---------------------------------------------------------------- the route of a case


@dataclass
class ChainActor:
    org: Organisation
    role: str  # "pendaftar" | "rujukan: <service>" | "pengalihan"
    status: str
    status_label: str
    at: dt.datetime | dt.date | None
    referral_id: uuid.UUID | None = None


@dataclass
class ChainStop:
    label: str  # place name
    stage: str  # asal / perekrutan / transit / eksploitasi / identifikasi / tujuan / penanganan
    region_code: str | None = None
    country_code: str | None = None
    actors: list[ChainActor] = field(default_factory=list)


def _place_of(org: Organisation) -> tuple[str | None, str | None]:
    if org.is_abroad:
        return None, org.country_id
    return org.region_id, None


def _same_place(stop: ChainStop, region: str | None, country: str | None) -> bool:
    if country and stop.country_code:
        return country == stop.country_code
    if region and stop.region_code and stop.region_code != "ID":
        # an organisation acts "at" a stop when it sits in the same kab/kota or in the stop's subtree
        return region == stop.region_code or region.startswith(stop.region_code + ".")
    return False


def route_chain(user, case: Case) -> list[ChainStop]:
    """The route of a case as a chain: origin → route legs (recruitment, transit, exploitation,
    identification) → destination, each with the organisations that acted there (the
    registering organisation and the receivers of hand-overs visible to `user`); an
    organisation whose place is not on the route gets its own stop ("penanganan"), in the
    order it acted. The caller has already checked that `user` may see the case."""
    from gugus.cases.models import RouteLeg

    stage_labels = dict(RouteLeg.Stage.choices)
    stops: list[ChainStop] = []
    if case.origin_region_id:
        stops.append(
            ChainStop(
                label=case.origin_region.name if case.origin_region else case.origin_region_id,
                stage="Asal",
                region_code=case.origin_region_id,
            )
        )
    for leg in case.route.select_related("region", "country").order_by("seq"):
        label = leg.region.name if leg.region_id else leg.country.name_id
        if stops and stops[-1].region_code == leg.region_id and stops[-1].country_code == leg.country_id:
            stops[-1].stage += " / " + stage_labels.get(leg.stage, leg.stage)
            continue
        stops.append(
            ChainStop(
                label=label,
                stage=stage_labels.get(leg.stage, leg.stage),
                region_code=leg.region_id,
                country_code=leg.country_id,
            )
        )
    if case.destination_country_id and not any(s.country_code == case.destination_country_id for s in stops):
        stops.append(
            ChainStop(label=case.destination_country.name_id, stage="Tujuan", country_code=case.destination_country_id)
        )

    actors: list[tuple[ChainActor, str | None, str | None]] = []
    reg = case.registering_org
    actors.append(
        (
            ChainActor(
                org=reg,
                role="Pendaftar kasus",
                status="registered",
                status_label="Mendaftarkan",
                at=case.identification_date,
            ),
            *_place_of(reg),
        )
    )
    for ref in referrals_for_case(user, case).filter(status__in=[Status.SENT, Status.ACCEPTED, Status.COMPLETED]):
        role = "Pengalihan tanggung jawab" if ref.is_transfer else f"Rujukan: {ref.service_type.label}"
        actors.append(
            (
                ChainActor(
                    org=ref.to_org,
                    role=role,
                    status=ref.status,
                    status_label=ref.get_status_display(),
                    at=ref.accepted_at or ref.sent_at,
                    referral_id=ref.pk,
                ),
                *_place_of(ref.to_org),
            )
        )
    for actor, region, country in actors:
        target = next((s for s in stops if _same_place(s, region, country)), None)
        if target is None:
            label = actor.org.country.name_id if country else (actor.org.region.name if actor.org.region_id else "")
            target = next(
                (s for s in stops if s.stage == "Penanganan" and s.region_code == region and s.country_code == country),
                None,
            )
            if target is None:
                target = ChainStop(label=label, stage="Penanganan", region_code=region, country_code=country)
                stops.append(target)
        target.actors.append(actor)
    return stops
