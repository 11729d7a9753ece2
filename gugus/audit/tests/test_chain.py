"""The audit trail: append-only, hash-chained, `gugus audit verify` finds the first broken link;
events are written in the transaction of the action they record."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gugus.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from gugus.audit.services import GENESIS, event_hash, record, verify_chain

pytestmark = pytest.mark.django_db


def make_events(n: int = 5) -> list[AuditEvent]:
    return [record("test_event", object_type="thing", object_id=i, detail={"n": i}) for i in range(n)]


def tamper(sql: str, params=()) -> None:
    """What someone with the database owner's rights could do: switch the guard off, then write."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Triggers off for this transaction only (a superuser's power; the test's rollback ends it).
            cur.execute("SET LOCAL session_replication_role = replica")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_append_only")
        cur.execute(sql, params)


def verify_output() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_chain_links_each_event_to_the_previous():
    events = make_events(3)
    assert events[0].prev_hash in (
        GENESIS,
        AuditEvent.objects.filter(id__lt=events[0].id).order_by("-id").values_list("hash", flat=True).first(),
    )
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    for ev in AuditEvent.objects.filter(pk__in=[e.pk for e in events]):
        assert event_hash(ev) == ev.hash  # stable across the database round trip
    head = AuditChainHead.objects.get()
    assert head.last_hash == events[-1].hash and head.count == AuditEvent.objects.count()
    result = verify_chain()
    assert result.ok and result.checked == AuditEvent.objects.count()
    assert "utuh" in verify_output()


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    ev = make_events(1)[0]
    ev.action = "other"
    with pytest.raises(AppendOnlyError):
        ev.save()
    with pytest.raises(AppendOnlyError):
        ev.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=ev.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([ev], ["action"])
    assert verify_chain().ok


def test_the_database_refuses_updates_too():
    ev = make_events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [ev.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [ev.pk])
    assert AuditEvent.objects.get(pk=ev.pk).action == "test_event"


def test_verify_detects_an_altered_row_and_reports_it():
    events = make_events(5)
    target = events[2]
    tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"n": 99}', target.pk])
    result = verify_chain()
    assert not result.ok and result.broken_at == target.pk and "berubah" in result.reason
    with pytest.raises(CommandError, match=f"#{target.pk}"):
        call_command("audit", "verify")


def test_verify_detects_an_altered_row_even_with_its_hash_recomputed():
    """Rewriting a row's hash to match its new content breaks the next row's link."""
    events = make_events(4)
    target = AuditEvent.objects.get(pk=events[1].pk)
    target.action = "harmless"
    new_hash = event_hash(target)
    tamper("UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s", ["harmless", new_hash, target.pk])
    result = verify_chain()
    assert not result.ok and result.broken_at == events[2].pk and "tautan" in result.reason


def test_verify_detects_a_deleted_row_in_the_middle():
    events = make_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    result = verify_chain()
    assert not result.ok and result.broken_at == events[3].pk
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert f"#{events[3].pk}" in str(exc.value) and "RUSAK" in str(exc.value)


def test_verify_detects_a_deleted_tail():
    events = make_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    result = verify_chain()
    assert not result.ok and "ekor" in result.reason and result.broken_at == events[2].pk
    with pytest.raises(CommandError, match="ekor"):
        call_command("audit", "verify")


def test_verify_reports_the_first_of_several_breaks():
    events = make_events(6)
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE id IN (%s, %s)", [events[4].pk, events[1].pk])
    assert verify_chain().broken_at == events[1].pk


def test_verify_walks_in_batches():
    make_events(7)
    assert verify_chain(batch=2).ok


def test_event_rolls_back_with_its_transaction():
    before = AuditEvent.objects.count()
    head_before = AuditChainHead.objects.filter(id=1).values_list("count", flat=True).first()
    with pytest.raises(RuntimeError), transaction.atomic():
        record("will_vanish")
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert AuditChainHead.objects.filter(id=1).values_list("count", flat=True).first() == head_before
    assert verify_chain().ok


def test_token_create_and_revoke_roll_back_with_their_events(personas):
    from gugus.accounts.models import ApiToken
    from gugus.accounts.services import token_create, token_revoke

    with pytest.raises(RuntimeError), transaction.atomic():
        token_create(actor=personas.cw_a, user=personas.cw_a)
        raise RuntimeError
    assert not ApiToken.objects.exists() and not AuditEvent.objects.filter(action="token_create").exists()
    token, _ = token_create(actor=personas.cw_a, user=personas.cw_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        token_revoke(actor=personas.cw_a, token=token)
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="token_revoke").exists()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_identity_view_rolls_back_with_its_transaction(personas):
    import datetime as dt

    from gugus.cases.selectors import identity_get_for_user
    from gugus.cases.services import VictimData, victim_register

    case = victim_register(
        actor=personas.cw_a,
        data=VictimData(
            sex="female",
            identification_date=dt.date.today() - dt.timedelta(days=3),
            identification_channel="hotline",
            full_name="Uji Rollback",
            estimated_age=30,
        ),
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        assert identity_get_for_user(personas.cw_a, case) is not None
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="identity_view").exists()


def test_detail_is_json_safe_and_request_meta_is_kept(personas, client_for):
    import datetime as dt
    import uuid

    ev = record("x", detail={"when": dt.date(2026, 1, 2), "id": uuid.UUID(int=1)})
    assert ev.detail == {"when": "2026-01-02", "id": str(uuid.UUID(int=1))}
    client_for(personas.cw_a).get("/akun/profil/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="UjiBrowser/1")
    assert verify_chain().ok


def test_login_event_records_where_from(personas):
    from django.test import Client

    Client().post(
        "/akun/masuk/",
        {"username": "eksekutif", "password": "demo"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="UjiBrowser/1",
    )
    ev = AuditEvent.objects.get(action="login")
    assert ev.ip == "10.1.2.3" and ev.user_agent == "UjiBrowser/1" and ev.actor_label == "eksekutif"
