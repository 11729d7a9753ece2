"""Login security: argon2, lockout (axes), TOTP for identity-capable roles, idle timeout,
security headers; every login, failure and logout in the audit trail."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gugus.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = "/akun/masuk/"


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def post_login(client: Client, username: str, password: str = "demo", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR="10.9.8.7")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def test_login_writes_event_and_identity_role_must_pass_totp(personas):
    c = Client()
    r = post_login(c, "cw-3212")
    assert r.status_code == 302
    ev = events("login").get()
    assert ev.actor_id == personas.cw_a.pk and ev.ip == "10.9.8.7"
    # Any page now leads to the second factor first.
    r = c.get("/kasus/")
    assert r.status_code == 302 and r["Location"].startswith("/akun/otp/?next=/kasus/")
    r = c.get("/akun/profil/")
    assert r.status_code == 302 and "/akun/otp/" in r["Location"]
    # The API refuses the half-logged-in session.
    assert c.get("/api/v1/me").status_code == 401


def test_totp_enrolment_shows_secret_and_verifies_a_correct_code(personas):
    c = Client()
    post_login(c, "cw-3212")
    r = c.get("/akun/otp/?next=/akun/profil/")
    assert r.status_code == 200
    body = r.content.decode()
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7=]+)<', body).group(1)
    assert "<svg" in body  # QR code, inline, no external request
    device = TOTPDevice.objects.get(user=personas.cw_a, confirmed=False)
    import base64

    assert base64.b32decode(secret) == device.bin_key
    r = c.post("/akun/otp/", {"token": current_code(device), "next": "/akun/profil/"})
    assert r.status_code == 302 and r["Location"] == "/akun/profil/"
    device.refresh_from_db()
    assert device.confirmed
    assert events("mfa_enrol").filter(actor=personas.cw_a).exists()
    assert events("mfa_verify").filter(actor=personas.cw_a).exists()
    assert c.get("/akun/profil/").status_code == 200
    assert c.get("/api/v1/me").json()["username"] == "cw-3212"


def test_wrong_totp_code_is_refused_in_indonesian(personas):
    device = TOTPDevice.objects.create(user=personas.sv_a, name="hp", confirmed=True)
    c = Client()
    post_login(c, "sv-3212")
    r = c.get("/akun/otp/")
    assert "otp-secret" not in r.content.decode()  # an enrolled device's secret is never shown again
    good = current_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    r = c.post("/akun/otp/", {"token": wrong})
    assert r.status_code == 200
    assert "Kode tidak cocok atau sudah kedaluwarsa" in r.content.decode()
    assert events("mfa_failed").filter(actor=personas.sv_a).exists()
    assert c.get("/kasus/").status_code == 302
    r = c.post("/akun/otp/", {"token": "12"})
    assert r.status_code == 200 and "errorlist" in r.content.decode()


def test_open_redirect_after_otp_is_refused(personas):
    device = TOTPDevice.objects.create(user=personas.cw_b, name="hp", confirmed=True)
    c = Client()
    post_login(c, "cw-3201")
    r = c.post("/akun/otp/", {"token": current_code(device), "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"


@pytest.mark.parametrize("username", ["eksekutif"])
def test_roles_without_identity_access_need_no_second_factor(personas, username):
    c = Client()
    post_login(c, username)
    assert c.get("/akun/profil/").status_code == 200


def test_mfa_required_exactly_for_identity_capable_roles(personas):
    from gugus.accounts.middleware import user_needs_mfa

    needs = {name for name, u in personas.all().items() if u is not None and user_needs_mfa(u)}
    assert needs == {"cw_a", "cw_b", "sv_a", "provider", "admin"}


def test_identity_access_grant_makes_totp_required(personas):
    from gugus.accounts.middleware import user_needs_mfa
    from gugus.accounts.services import membership_grant

    assert not user_needs_mfa(personas.province)
    membership_grant(
        actor=personas.admin,
        user=personas.province,
        organisation=personas.orgs["gt-32"],
        role="gt_province",
        identity_access=True,
    )
    assert user_needs_mfa(personas.province)


def test_failed_login_is_audited_without_the_password(personas):
    c = Client()
    r = post_login(c, "cw-3212", "salah-sekali")
    assert r.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in r.content.decode()
    ev = events("login_failed").get()
    assert ev.detail == {"username": "cw-3212"} and ev.actor_id is None and ev.ip == "10.9.8.7"
    assert "salah-sekali" not in json.dumps(ev.detail) and "salah-sekali" not in ev.user_agent


def test_lockout_after_five_failures_through_the_login_form(personas):
    assert settings.AXES_FAILURE_LIMIT == 5
    c = Client()
    for _ in range(4):
        assert post_login(c, "cw-3201", "keliru").status_code == 200
    r = post_login(c, "cw-3201", "keliru")  # the fifth failure locks
    assert r.status_code == 429
    r = post_login(c, "cw-3201", "demo")  # even the right password is refused now
    assert r.status_code == 429
    assert "Akun dikunci sementara" in r.content.decode()
    assert not events("login").filter(actor=personas.cw_b).exists()
    assert events("login_failed").count() >= 5
    # Another account from the same address is not locked (lockout is per username + address).
    assert post_login(Client(), "cw-3212").status_code == 302


def test_logout_is_audited(personas, client_for):
    c = client_for(personas.cw_a)
    r = c.post("/akun/keluar/")
    assert r.status_code == 302
    assert events("logout").filter(actor=personas.cw_a).exists()
    assert c.get("/akun/profil/").status_code == 302


def test_idle_session_expires_and_is_audited(personas, client_for):
    c = client_for(personas.cw_a)
    assert c.get("/akun/profil/").status_code == 200
    session = c.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    r = c.get("/akun/profil/")
    assert r.status_code == 302 and "expired=1" in r["Location"] and r["Location"].startswith("/akun/masuk/")
    assert events("session_expired").filter(actor=personas.cw_a).exists()
    assert c.get("/akun/profil/").status_code == 302  # logged out for good
    r = c.get(r["Location"])
    assert "Sesi berakhir karena tidak aktif" in r.content.decode()


def test_idle_session_htmx_gets_401_and_redirect_header(personas, client_for):
    c = client_for(personas.cw_a)
    c.get("/akun/profil/")
    session = c.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    r = c.get("/akun/profil/", HTTP_HX_REQUEST="true")
    assert r.status_code == 401 and r["HX-Redirect"] == "/akun/masuk/"


def test_active_session_is_not_expired(personas, client_for):
    c = client_for(personas.cw_a)
    session = c.session
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert c.get("/akun/profil/").status_code == 200


def test_security_headers(personas, client_for):
    r = Client().get(LOGIN)
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
    r = client_for(personas.cw_a).get("/akun/profil/")
    assert r["Cache-Control"] == "no-store"


def test_password_hasher_is_argon2_outside_tests():
    """Tests use a fast hasher; every other configuration hashes with argon2."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "GUGUS_FAST_HASHER")}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gugus.settings'); django.setup();"
        "from django.conf import settings as s; from django.contrib.auth.hashers import make_password;"
        "print(s.PASSWORD_HASHERS[0]); print(make_password('x').split('$')[0])"
    )
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]


def test_production_cookies_are_secure(tmp_path):
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_DEBUG")}
    env.update(
        {
            "GUGUS_ENV": "production",
            "DJANGO_SECRET_KEY": "p" * 60,
            "GUGUS_FIELD_KEYS": Fernet.generate_key().decode(),
            "GUGUS_HASH_KEY": "production-hash-key-0123456789",
            "GUGUS_VAR_DIR": str(tmp_path),
        }
    )
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gugus.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0,"
        " s.SECURE_SSL_REDIRECT, 'default-src' in s.CONTENT_SECURITY_POLICY)"
    )
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True"] * 6
