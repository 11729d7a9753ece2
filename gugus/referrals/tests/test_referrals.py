"""Referrals: states, access granted and revoked, consent, bad input, notifications."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from gugus.audit.models import AuditEvent
from gugus.cases.models import CaseAccess, CaseEvent
from gugus.cases.selectors import can_view_identity, case_get_for_user, cases_visible_to
from gugus.referrals import services
from gugus.referrals.models import Notification, Referral, ReferralStatusChange, Status

from .conftest import handover
from .factories import give_consent, make_case

pytestmark = pytest.mark.django_db


def _send(w, to_key="rs-2171", **kw):
    return services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs[to_key], **kw))


def _snapshot():
    return (
        Referral.objects.count(),
        ReferralStatusChange.objects.count(),
        CaseAccess.objects.count(),
        CaseEvent.objects.count(),
        Notification.objects.count(),
    )


def test_send_records_history_timeline_audit_and_notifies(w, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ref = _send(w)
    assert ref.status == Status.SENT
    assert ref.consent is not None and ref.consent_basis == "consent"
    h = list(ref.history.all())
    assert [(x.from_status, x.to_status, x.by_id) for x in h] == [("", "sent", w.cw.pk)]
    assert h[0].organisation == w.orgs["uptd-2171"]
    assert CaseEvent.objects.filter(case=w.case_a, kind="referral_sent", object_id=str(ref.pk)).exists()
    ev = AuditEvent.objects.get(action="referral_send", object_id=str(ref.pk))
    assert ev.detail["consent"] == "given" and ev.detail["service"] == "health_physical"
    # The hospital's user (referral.act) gets an in-app notice and one e-mail with the case number and link only.
    provider = w.p.provider
    n = Notification.objects.get(user=provider)
    assert w.case_a.case_number in n.message and n.url == f"/rujukan/{ref.pk}/"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [provider.email]
    assert w.case_a.case_number in mail.subject and f"/rujukan/{ref.pk}/" in mail.body
    for secret in ("Korban Uji", "Perlu pemeriksaan", "Rehabilitasi"):
        assert secret not in mail.body and secret not in mail.subject
    # Before acceptance the receiver sees the referral, not the case.
    with pytest.raises(Http404):
        case_get_for_user(provider, w.case_a.pk)


def test_accept_grants_service_access_to_that_case_only(w):
    ref = _send(w)
    provider = w.p.provider
    services.referral_accept(actor=provider, referral=ref, note="siap")
    ref.refresh_from_db()
    assert ref.status == Status.ACCEPTED and ref.accepted_at is not None
    grant = CaseAccess.objects.get(case=w.case_a, organisation=w.orgs["rs-2171"], revoked_at__isnull=True)
    assert (grant.level, grant.source_type, grant.source_id) == ("service", "referral", ref.pk)
    assert set(cases_visible_to(provider).values_list("pk", flat=True)) == {w.case_a.pk}
    assert case_get_for_user(provider, w.case_a.pk) == w.case_a
    with pytest.raises(Http404):
        case_get_for_user(provider, w.case_b.pk)
    assert [x.to_status for x in ref.history.all()] == ["sent", "accepted"]
    assert AuditEvent.objects.filter(action="referral_accept", object_id=str(ref.pk)).exists()
    assert CaseEvent.objects.filter(case=w.case_a, kind="referral_accepted").exists()
    # the sender is told
    assert Notification.objects.filter(user=w.cw, kind="referral_accepted").exists()


def test_decline_requires_reason_and_leaves_no_access(w):
    ref = _send(w)
    provider = w.p.provider
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(actor=provider, referral=ref, reason="  ")
    assert "reason" in exc.value.message_dict
    assert _snapshot() == before
    services.referral_decline(actor=provider, referral=ref, reason="Kapasitas penuh minggu ini")
    ref.refresh_from_db()
    assert ref.status == Status.DECLINED and ref.decline_reason == "Kapasitas penuh minggu ini"
    assert not CaseAccess.objects.filter(organisation=w.orgs["rs-2171"]).exists()
    assert not cases_visible_to(provider).exists()
    with pytest.raises(Http404):
        case_get_for_user(provider, w.case_a.pk)
    with pytest.raises(ValidationError):
        services.referral_accept(actor=provider, referral=ref)


def test_accept_twice_and_complete_before_accept_change_nothing(w):
    ref = _send(w)
    provider = w.p.provider
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.referral_complete(actor=provider, referral=ref)
    assert "belum diterima" in exc.value.message_dict["status"][0]
    assert _snapshot() == before
    services.referral_accept(actor=provider, referral=ref)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(actor=provider, referral=ref)
    assert "Diterima" in exc.value.message_dict["status"][0]
    assert _snapshot() == before
    assert CaseAccess.objects.filter(case=w.case_a, organisation=w.orgs["rs-2171"]).count() == 1


def test_complete_keeps_read_without_identity(w):
    ref = _send(w)
    provider = w.p.provider
    services.referral_accept(actor=provider, referral=ref)
    assert can_view_identity(provider, w.case_a)
    services.referral_complete(actor=provider, referral=ref, note="Pemeriksaan selesai")
    ref.refresh_from_db()
    assert ref.status == Status.COMPLETED and ref.outcome_note == "Pemeriksaan selesai"
    grants = CaseAccess.objects.filter(case=w.case_a, organisation=w.orgs["rs-2171"])
    assert grants.get(level="service").revoked_at is not None
    assert grants.get(level="read").revoked_at is None
    assert case_get_for_user(provider, w.case_a.pk) == w.case_a
    assert not can_view_identity(provider, w.case_a)
    with pytest.raises(ValidationError):
        services.referral_cancel(actor=w.cw, referral=ref, reason="tidak jadi")


def test_sender_may_complete_too(w):
    ref = _send(w)
    services.referral_accept(actor=w.p.provider, referral=ref)
    services.referral_complete(actor=w.cw, referral=ref, note="dikonfirmasi pengirim")
    ref.refresh_from_db()
    assert ref.status == Status.COMPLETED
    assert ref.history.last().organisation == w.orgs["uptd-2171"]


def test_cancel_revokes_access(w):
    ref = _send(w)
    provider = w.p.provider
    services.referral_accept(actor=provider, referral=ref)
    with pytest.raises(ValidationError):
        services.referral_cancel(actor=provider, referral=ref, reason="bukan pengirim")
    services.referral_cancel(actor=w.cw, referral=ref, reason="Korban pindah ke wilayah lain")
    ref.refresh_from_db()
    assert ref.status == Status.CANCELLED
    assert not CaseAccess.objects.filter(organisation=w.orgs["rs-2171"], revoked_at__isnull=True).exists()
    with pytest.raises(Http404):
        case_get_for_user(provider, w.case_a.pk)
    assert AuditEvent.objects.get(action="referral_cancel").detail["access_revoked"] == 1
    assert Notification.objects.filter(user=provider, kind="referral_cancelled").exists()


@pytest.mark.parametrize(
    ("to_key", "service", "field", "words"),
    [
        ("uptd-2171", "shelter", "to_org", "sendiri"),
        ("rumah-aman-2171", "health_physical", "to_org", "tidak memberikan layanan"),
        ("polres-2171", "shelter", "to_org", "tidak memberikan layanan"),
        ("rs-2171", "no_such_service", "service_type", "tidak dikenal"),
        ("rs-2171", "", "service_type", "wajib"),
    ],
)
def test_bad_targets_are_refused_and_nothing_changes(w, to_key, service, field, words):
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        _send(w, to_key=to_key, service=service)
    assert words in " ".join(exc.value.message_dict[field])
    assert _snapshot() == before


def test_due_date_and_reason_checked(w):
    data = handover(w.orgs["rs-2171"], days=-1, reason="")
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.cw, case=w.case_a, data=data)
    assert {"due_date", "reason"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.cw, case=w.case_a, data=handover(w.orgs["rs-2171"], days=400))
    assert "due_date" in exc.value.message_dict


def test_duplicate_open_referral_refused(w):
    _send(w)
    with pytest.raises(ValidationError) as exc:
        _send(w)
    assert "masih berjalan" in exc.value.message_dict["to_org"][0]


def test_only_owner_org_may_send(w):
    ref = _send(w)
    services.referral_accept(actor=w.p.provider, referral=ref)
    # The hospital sees the case now but may not pass it on; another UPTD cannot see it.
    with pytest.raises(ValidationError):
        services.referral_send(actor=w.p.provider, case=w.case_a, data=handover(w.orgs["puskesmas-3212"]))
    with pytest.raises(ValidationError):
        services.referral_send(actor=w.p.cw_a, case=w.case_a, data=handover(w.orgs["rs-2171"]))


def test_missing_consent_needs_supervisor_override(w):
    case = make_case(w.orgs["uptd-2171"], user=w.cw, consent=False)
    data = handover(w.orgs["rs-2171"])
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.cw, case=case, data=data)
    assert "consent" in exc.value.message_dict
    # a case worker cannot override
    with pytest.raises(ValidationError) as exc:
        services.referral_send(
            actor=w.cw, case=case, data=handover(w.orgs["rs-2171"], override="Darurat medis, korban tidak sadar")
        )
    assert "supervisor" in exc.value.message_dict["consent"][0]
    # a supervisor must write a real reason
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.sv, case=case, data=handover(w.orgs["rs-2171"], override="darurat"))
    assert "consent_override_reason" in exc.value.message_dict
    assert _snapshot() == before
    ref = services.referral_send(
        actor=w.sv, case=case, data=handover(w.orgs["rs-2171"], override="Darurat medis, korban tidak sadar")
    )
    assert ref.consent is None and ref.consent_basis == "override" and ref.consent_override_by == w.sv
    ev = AuditEvent.objects.get(action="consent_override", object_id=str(ref.pk))
    assert "Darurat" not in str(ev.detail)  # the reason stays on the referral, not in the audit detail
    assert "tanpa persetujuan" in CaseEvent.objects.get(case=case, kind="referral_sent").summary


def test_withdrawn_or_refused_consent_counts_as_missing(w):
    case = make_case(w.orgs["uptd-2171"], user=w.cw, consent=False)
    give_consent(case, withdrawn=True)
    with pytest.raises(ValidationError):
        services.referral_send(actor=w.cw, case=case, data=handover(w.orgs["rs-2171"]))
    case2 = make_case(w.orgs["uptd-2171"], user=w.cw)  # granted 10 days ago
    give_consent(case2, granted=False, days_ago=2)  # then refused
    with pytest.raises(ValidationError):
        services.referral_send(actor=w.cw, case=case2, data=handover(w.orgs["rs-2171"]))


def test_closed_case_cannot_be_referred(w):
    w.case_b.status = "closed"
    w.case_b.save(update_fields=["status"])
    with pytest.raises(ValidationError) as exc:
        services.referral_send(actor=w.cw, case=w.case_b, data=handover(w.orgs["rs-2171"]))
    assert "case" in exc.value.message_dict


def test_acting_on_referral_not_addressed_to_you(w):
    ref = _send(w)
    before = _snapshot()
    for actor in (w.cw, w.p.cw_kupang, w.users["ra-2171"]):
        with pytest.raises(ValidationError) as exc:
            services.referral_accept(actor=actor, referral=ref)
        assert "tidak ditujukan" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.referral_decline(actor=w.cw, referral=ref, reason="bukan penerima")
    assert _snapshot() == before


def test_stale_version_conflicts(w):
    from gugus.core.errors import Conflict

    ref = _send(w)
    with pytest.raises(Conflict):
        services.referral_accept(actor=w.p.provider, referral=ref, expected_version=ref.version + 3)
    ref.refresh_from_db()
    assert ref.status == Status.SENT


def test_historical_send_with_at_for_imports(w):
    at = timezone.now() - dt.timedelta(days=30)
    data = services.HandoverData(
        to_org=w.orgs["rs-2171"],
        due_date=timezone.localdate() - dt.timedelta(days=20),
        reason="Rujukan lama",
        service_type="health_physical",
    )
    ref = services.referral_send(actor=w.cw, case=w.case_a, data=data, at=at)
    assert ref.sent_at == at
    with pytest.raises(ValidationError):
        services.referral_accept(actor=w.p.provider, referral=ref, at=at - dt.timedelta(days=1))
