"""Quality gates: system checks, migrations in step with models, health, production refusal."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_system_check_clean():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_healthz_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    from django.db import connection

    def broken(*a, **k):
        raise RuntimeError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    r = client.get("/healthz")
    assert r.status_code == 503


def _run_settings(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "PYTEST_VERSION")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "gugus", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_debug_and_dev_keys():
    r = _run_settings({"GUGUS_ENV": "production", "DJANGO_DEBUG": "1"})
    assert r.returncode != 0
    assert "Unsafe production settings" in r.stderr
    assert "DJANGO_DEBUG must be off" in r.stderr
    assert "DJANGO_SECRET_KEY" in r.stderr


def test_check_deploy_clean_under_production_settings(tmp_path):
    from cryptography.fernet import Fernet

    r = _run_settings(
        {
            "GUGUS_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-for-check-deploy-0123456789",
            "GUGUS_FIELD_KEYS": Fernet.generate_key().decode(),
            "GUGUS_HASH_KEY": "production-hash-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "gugus.example.id",
            "GUGUS_VAR_DIR": str(tmp_path),
        }
    )
    assert r.returncode == 0, r.stderr + r.stdout


def test_console_script_runs_manage_commands():
    r = subprocess.run([sys.executable, "-m", "gugus", "help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    assert "load_reference" in r.stdout and "demo" in r.stdout


def test_log_filter_masks_nik_phone_and_names():
    import io
    import logging

    from gugus.logging import JsonFormatter, MaskPIIFilter

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.addFilter(MaskPIIFilter())
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("gugus.test.mask")
    log.addHandler(handler)
    log.propagate = False
    log.warning("korban nama: Siti Aminah NIK 3212014508950001 HP 081234567890")
    out = buf.getvalue()
    assert "3212014508950001" not in out
    assert "081234567890" not in out
    assert "Siti Aminah" not in out
    assert '"level": "WARNING"' in out
