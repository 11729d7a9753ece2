"""Personal API tokens: printed by `gugus token`, managed on the profile page (htmx) and the
API, only a hash stored, Bearer auth; bad tokens answer 401 revealing nothing, and are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from gugus.accounts.models import ApiToken
from gugus.accounts.services import token_create, token_revoke
from gugus.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
UNAUTH = {"detail": "Tidak terautentikasi."}


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_command_prints_a_working_token_and_stores_only_its_hash(personas):
    out = io.StringIO()
    call_command("token", "cw-3212", stdout=out)
    clear = out.getvalue().strip()
    assert clear.startswith("ggs_") and len(clear) > 40
    token = ApiToken.objects.get(user=personas.cw_a)
    assert token.token_hash == hashlib.sha256(clear.encode()).hexdigest()
    assert clear.startswith(token.prefix) and len(token.prefix) < 12
    # the clear token is nowhere in the database
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM accounts_apitoken")
        assert clear not in repr(cur.fetchall())
        cur.execute("SELECT detail FROM audit_auditevent")
        assert clear not in repr(cur.fetchall())
    r = bearer(clear).get("/api/v1/me")
    assert r.status_code == 200 and r.json()["username"] == "cw-3212"
    ev = AuditEvent.objects.filter(action="token_create").latest("id")
    assert ev.actor_id == personas.cw_a.pk and ev.object_id == str(token.pk)


def test_command_refuses_unknown_user(personas):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("token", "nobody")


def test_me_lists_memberships_and_permissions(personas, api_for):
    r = api_for(personas.sv_a).get("/api/v1/me").json()
    assert r["username"] == "sv-3212" and r["mfa_required"] is True
    [m] = r["memberships"]
    assert m["role"] == "supervisor" and m["region"] == "32.12" and m["organisation"]["type"] == "uptd_ppa_kabkota"
    assert "audit.view" in r["permissions"] and "identity.view" in r["permissions"]
    r = api_for(personas.executive).get("/api/v1/me").json()
    assert "victim.view" not in r["permissions"] and "aggregate.view" in r["permissions"]
    assert r["mfa_required"] is False


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ggs_" + "x" * 43,  # well-formed, unknown
        "Bearer abc",  # malformed
        "Bearer " + "ggs_" + "y" * 500,  # too long
        "Token ggs_" + "x" * 43,  # wrong scheme
        "Bearer",  # empty
    ],
)
def test_bad_tokens_get_401_revealing_nothing(personas, header):
    before = AuditEvent.objects.filter(action="token_rejected").count()
    r = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me")
    assert r.status_code == 401 and r.json() == UNAUTH
    if header.startswith("Bearer ") and len(header) > 7:
        assert AuditEvent.objects.filter(action="token_rejected").count() == before + 1


def test_tampered_revoked_and_expired_tokens(personas):
    _, clear = token_create(actor=personas.cw_a, user=personas.cw_a, name="t")
    assert bearer(clear).get("/api/v1/me").status_code == 200
    tampered = clear[:-1] + ("A" if clear[-1] != "A" else "B")
    r = bearer(tampered).get("/api/v1/me")
    assert r.status_code == 401 and r.json() == UNAUTH
    assert AuditEvent.objects.filter(action="token_rejected", detail__reason="unknown").exists()

    token, clear2 = token_create(actor=personas.cw_a, user=personas.cw_a, name="t2")
    token_revoke(actor=personas.cw_a, token=token)
    r = bearer(clear2).get("/api/v1/me")
    assert r.status_code == 401 and r.json() == UNAUTH
    ev = AuditEvent.objects.filter(action="token_rejected", object_id=str(token.pk)).get()
    assert ev.detail["reason"] == "revoked"

    token3, clear3 = token_create(
        actor=personas.cw_a, user=personas.cw_a, name="t3", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token3.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = bearer(clear3).get("/api/v1/me")
    assert r.status_code == 401 and r.json() == UNAUTH
    assert AuditEvent.objects.get(action="token_rejected", object_id=str(token3.pk)).detail["reason"] == "expired"


def test_token_of_deactivated_user_is_refused(personas):
    _, clear = token_create(actor=personas.cw_b, user=personas.cw_b)
    personas.cw_b.is_active = False
    personas.cw_b.save()
    assert bearer(clear).get("/api/v1/me").status_code == 401


def test_expiry_in_the_past_is_refused(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_create(actor=personas.cw_a, user=personas.cw_a, expires_at=timezone.now() - dt.timedelta(days=1))


def test_only_owner_or_superuser_creates_and_revokes(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_create(actor=personas.cw_b, user=personas.cw_a)
    token, _ = token_create(actor=personas.cw_a, user=personas.cw_a)
    with pytest.raises(ValidationError):
        token_revoke(actor=personas.cw_b, token=token)
    token_revoke(actor=personas.admin, token=token)  # superuser may revoke
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_api_lists_own_tokens_and_revokes(personas, api_for):
    api = api_for(personas.cw_a)  # creates one token
    other, _ = token_create(actor=personas.cw_b, user=personas.cw_b, name="orang lain")
    mine, mine_clear = token_create(actor=personas.cw_a, user=personas.cw_a, name="skrip")
    rows = api.get("/api/v1/tokens").json()
    assert {t["name"] for t in rows} == {"test", "skrip"}
    assert all("hash" not in t and "token_hash" not in t for t in rows)
    # someone else's token: 404, nothing revoked, the attempt audited
    r = api.delete(f"/api/v1/tokens/{other.pk}")
    assert r.status_code == 404 and r.json() == {"detail": "Tidak ditemukan."}
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    assert AuditEvent.objects.filter(
        action="access_denied_or_missing", object_id=str(other.pk), actor=personas.cw_a
    ).exists()
    for bad in [str(uuid.uuid4()), "not-a-uuid", "1"]:
        r = api.delete(f"/api/v1/tokens/{bad}")
        assert r.status_code == 404 and r.json() == {"detail": "Tidak ditemukan."}
        assert AuditEvent.objects.filter(action="access_denied_or_missing", object_id=bad).exists()
    r = api.delete(f"/api/v1/tokens/{mine.pk}")
    assert r.status_code == 200 and r.json()["active"] is False
    assert bearer(mine_clear).get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="token_revoke", object_id=str(mine.pk)).exists()


def test_profile_page_lists_creates_and_revokes_with_htmx(personas, client_for):
    c = client_for(personas.cw_a)
    old, _ = token_create(actor=personas.cw_a, user=personas.cw_a, name="lama")
    r = c.get("/akun/profil/")
    body = r.content.decode()
    assert r.status_code == 200 and "lama" in body and old.prefix in body and "Token API pribadi" in body
    assert 'hx-post="/akun/token/"' in body
    r = c.post("/akun/token/", {"name": "laptop"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body  # a fragment for htmx
    import re

    clear = re.search(r'data-testid="new-token">(ggs_[^<]+)<', body).group(1)
    assert bearer(clear).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(name="laptop")
    r = c.post(f"/akun/token/{token.pk}/cabut/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "dicabut" in r.content.decode()
    assert bearer(clear).get("/api/v1/me").status_code == 401
    # the new token is never shown again
    assert clear not in c.get("/akun/profil/").content.decode()


def test_profile_without_javascript(personas, client_for):
    c = client_for(personas.cw_a)
    r = c.post("/akun/token/", {"name": "tanpa-js"})
    assert r.status_code == 200 and "<html" in r.content.decode() and "new-token" in r.content.decode()
    token = ApiToken.objects.get(name="tanpa-js")
    r = c.post(f"/akun/token/{token.pk}/cabut/")
    assert r.status_code == 302 and r["Location"] == "/akun/profil/"


def test_cannot_revoke_someone_elses_token_in_the_ui(personas, client_for):
    other, clear = token_create(actor=personas.cw_b, user=personas.cw_b)
    r = client_for(personas.cw_a).post(f"/akun/token/{other.pk}/cabut/")
    assert r.status_code == 404
    assert bearer(clear).get("/api/v1/me").status_code == 200
    assert AuditEvent.objects.filter(action="access_denied_or_missing", object_id=str(other.pk)).exists()


def test_session_api_needs_the_second_factor(personas):
    c = Client()
    c.force_login(personas.cw_a)  # password only
    assert c.get("/api/v1/me").status_code == 401
    c2 = Client()
    c2.force_login(personas.executive)  # no identity access: no second factor needed
    assert c2.get("/api/v1/me").status_code == 200
