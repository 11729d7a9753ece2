"""Exports: scope, identity columns, formula injection, encryption, audit, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from gugus.audit.models import AuditEvent
from gugus.cases.services import VictimData, victim_register
from gugus.exchange import exports
from gugus.exchange.crypto import decrypt_bytes

pytestmark = pytest.mark.django_db
PASSWORD = "kata-sandi-ekspor-123"


@pytest.fixture
def cases(personas, settings):
    settings.GUGUS_EXPORT_KDF_ITERATIONS = 1000
    out = []
    for i, (user, name) in enumerate(
        [(personas.cw_a, '=HYPERLINK("http://x")'), (personas.cw_a, "Siti Aminah"), (personas.cw_b, "Dewi Lestari")]
    ):
        out.append(
            victim_register(
                actor=user,
                data=VictimData(
                    sex="female",
                    identification_date=dt.date(2025, 2, 1 + i),
                    identification_channel="hotline",
                    full_name=name,
                    estimated_age=19,
                    recruiting_agency="@PT Jahat" if i == 0 else "",
                ),
            )
        )
    return out


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_case_export_is_scoped_and_has_no_identities_by_default(personas, client_for, cases):
    r = client_for(personas.cw_a).get("/pertukaran/ekspor/cases.csv")
    assert r.status_code == 200 and r.streaming
    rows = _csv(r)
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {cases[0].case_number, cases[1].case_number}
    text = str(rows)
    assert "Siti" not in text and "Dewi" not in text
    ev = AuditEvent.objects.filter(action="export").latest("id")
    assert ev.detail["rows"] == 2 and ev.detail["identity"] is False


def test_xlsx_export(personas, client_for, cases):
    r = client_for(personas.province).get("/pertukaran/ekspor/cases.xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = list(ws.values)
    assert values[0][0] == "Nomor kasus"
    assert len(values) == 4  # the province sees the three cases of Jawa Barat


def test_identity_export_is_encrypted_and_only_for_allowed_rows(personas, client_for, cases):
    client = client_for(personas.cw_a)
    # without a password: refused
    r = client.post("/pertukaran/ekspor/", {"kind": "cases", "format": "csv", "identities": "1"})
    assert r.status_code == 422
    r = client.post(
        "/pertukaran/ekspor/",
        {"kind": "cases", "format": "csv", "identities": "1", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith('.csv.enc"')
    blob = b"".join(r.streaming_content)
    assert blob.startswith(b"Salted__") and b"Siti" not in blob
    rows = list(csv.reader(io.StringIO(decrypt_bytes(blob, PASSWORD, iters=1000).decode("utf-8-sig"))))
    header = rows[0]
    name_col = header.index("Nama lengkap")
    names = {row[name_col] for row in rows[1:]}
    assert "Siti Aminah" in names
    assert '\'=HYPERLINK("http://x")' in names  # formula injection neutralised
    ev = AuditEvent.objects.filter(action="export").latest("id")
    assert ev.detail["identity"] is True and ev.detail["encrypted"] is True and ev.detail["identity_rows"] == 2


def test_roles_without_identity_right_cannot_export_identities(personas, client_for, cases):
    r = client_for(personas.province).post(
        "/pertukaran/ekspor/",
        {"kind": "cases", "format": "csv", "identities": "1", "password": PASSWORD, "password_confirm": PASSWORD},
    )
    assert r.status_code == 422
    assert not AuditEvent.objects.filter(action="export").exists()


def test_executive_and_anonymous_get_no_export(personas, client_for, cases, client):
    assert client_for(personas.executive).get("/pertukaran/ekspor/cases.csv").status_code == 404
    assert client.get("/pertukaran/ekspor/cases.csv").status_code == 302


def test_formula_injection_in_text_cells(personas, cases):
    header, rows = exports.export_rows(personas.cw_a, "cases")
    chunks = b"".join(exports.csv_chunks(header, rows)).decode("utf-8-sig")
    assert "=HYPERLINK" not in chunks  # not in the default columns; the agency value is escaped if present
    from gugus.exchange.sheets import escape_formula

    for bad in ("=1+1", "+62812", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert escape_formula(bad).startswith("'")
    assert escape_formula("Siti") == "Siti"


def test_identity_rule_matches_can_view_identity(personas, cases):
    from gugus.cases.models import Case
    from gugus.cases.selectors import can_view_identity
    from gugus.exchange.selectors import identity_case_q

    for user in personas.all().values():
        if user is None:
            continue
        allowed = set(Case.objects.filter(identity_case_q(user)).values_list("pk", flat=True))
        assert allowed == {c.pk for c in Case.objects.all() if can_view_identity(user, c)}, user.username


def test_export_streams_in_chunks(personas, cases):
    exp = exports.export_build(personas.province, "cases")
    it = exp.rows(chunk_size=1)
    assert next(it)[0] == cases[0].case_number  # produced lazily, one chunk at a time


def test_openssl_compatible(tmp_path, settings):
    import shutil
    import subprocess

    from gugus.exchange.crypto import OpenSSLEncryptor

    enc = OpenSSLEncryptor(PASSWORD, iters=1000)
    blob = enc.header + enc.update(b"rahasia,1\n") + enc.finalize()
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    src = tmp_path / "x.enc"
    src.write_bytes(blob)
    out = subprocess.run(
        [
            "openssl",
            "enc",
            "-d",
            "-aes-256-cbc",
            "-pbkdf2",
            "-iter",
            "1000",
            "-md",
            "sha256",
            "-in",
            str(src),
            "-pass",
            f"pass:{PASSWORD}",
        ],
        capture_output=True,
    )
    assert out.returncode == 0 and out.stdout == b"rahasia,1\n"
