"""Backup and restore: an encrypted, consistent snapshot comes back on an empty install with every
table's count and checksum equal and the audit chain intact — also when taken while writing."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, connections

from gugus.core import backup as bk

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "kunci-cadangan-uji-0123456789"


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "lampiran").mkdir(parents=True)
    (settings.MEDIA_ROOT / "lampiran" / "surat.pdf").write_bytes(b"%PDF-1.4 sintetis\n" + bytes(range(256)) * 50)
    (settings.MEDIA_ROOT / "foto.txt").write_text("berkas uji")
    return settings.MEDIA_ROOT


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("GUGUS_BACKUP_KEY", KEY)
    monkeypatch.delenv("GUGUS_BACKUP_PASSPHRASE", raising=False)
    return KEY.encode()


def _register(user, n: int, start: int = 0) -> None:
    from gugus.cases.services import VictimData, victim_register

    for i in range(start, start + n):
        victim_register(
            actor=user,
            data=VictimData(
                sex="female",
                identification_date=dt.date(2026, 1, 10),
                identification_channel="hotline",
                full_name=f"Korban Sintetis {i}",
                domicile_region="32.12",
                exploitation_forms=["forced_labour_or_services"],
                estimated_age=20 + i % 30,
            ),
        )


def _empty_install(media_root=None) -> None:
    """What a fresh `gugus migrate` leaves: no rows except reference data, content types, permissions."""
    bk.clear_database(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    if media_root is not None:
        import shutil

        shutil.rmtree(media_root)
        media_root.mkdir()


def _without_final_frame(data: bytes) -> bytes:
    """The file cut cleanly before its last frame (a truncation at a frame boundary)."""
    import struct

    pos = len(bk.MAGIC)
    (hlen,) = struct.unpack(">I", data[pos : pos + 4])
    pos += 4 + hlen
    last = pos
    while pos < len(data):
        last = pos
        (flen,) = struct.unpack(">I", data[pos + 1 : pos + 5])
        pos += 5 + flen
    return data[:last]


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_then_restore_on_empty_install_matches_every_table(personas, media, key, tmp_path):
    from gugus.audit.models import AuditEvent
    from gugus.audit.services import verify_chain

    _register(personas.cw_a, 5)
    before = bk.table_checksums()
    files_before = {p.relative_to(media).as_posix(): _sha(p) for p in media.rglob("*") if p.is_file()}
    out = tmp_path / "gugus.gbk"

    call_command("backup", output=str(out))

    assert out.stat().st_mode & 0o077 == 0, "the backup file must be private (0600)"
    raw = out.read_bytes()
    assert b"Korban Sintetis" not in raw and b"cases_case" not in raw, "the backup must be encrypted"
    manifest = bk.read_manifest(out, secret=key)
    assert manifest["tables"] == before  # the snapshot is what the database held
    assert before["cases_case"]["rows"] == 5 and before["audit_auditevent"]["rows"] > 0

    # Not on a database in use.
    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("restore", str(out))

    _empty_install(media)
    assert not AuditEvent.objects.exists()
    empty = bk.table_checksums()
    # A damaged file fails the restore and leaves the empty install as it was (one transaction).
    cut = tmp_path / "cut.gbk"
    cut.write_bytes(_without_final_frame(raw))
    with pytest.raises(CommandError, match="terpotong"):
        call_command("restore", str(cut))
    assert bk.table_checksums() == empty and not any(media.iterdir())

    call_command("restore", str(out))

    after = bk.table_checksums()
    assert after == manifest["tables"], "every table's row count and checksum equals the snapshot's"
    chain = verify_chain()
    assert chain.ok, chain.reason
    assert chain.checked == manifest["tables"]["audit_auditevent"]["rows"]
    assert {p.relative_to(media).as_posix(): _sha(p) for p in media.rglob("*") if p.is_file()} == files_before


def _stream_file(tmp_path, payload: bytes, secret: bytes = KEY.encode()) -> bytes:
    path = tmp_path / "s.gbk"
    with path.open("wb") as fh:
        w = bk.EncryptedWriter(fh, secret, "key")
        for i in range(0, len(payload), 70_000):
            w.write(payload[i : i + 70_000])
        w.finish()
    return path.read_bytes()


def _read_stream(data: bytes, secret: bytes = KEY.encode()) -> bytes:
    import io

    _, stream = bk.open_backup(io.BytesIO(data), secret)
    return stream.read()


@pytest.mark.django_db(transaction=False)
def test_encrypted_stream_round_trips_and_detects_wrong_key_and_damage(tmp_path):
    import os

    payload = os.urandom(3 * bk.CHUNK) + b"baris teks yang berulang\n" * 200_000  # several frames
    data = _stream_file(tmp_path, payload)
    assert _read_stream(data) == payload
    assert b"baris teks" not in data
    with pytest.raises(bk.BackupError, match="salah"):
        _read_stream(data, b"kunci-yang-salah-0000000")
    damaged = {
        "truncated": data[: len(data) // 2],
        "a bit flipped": data[:-40] + bytes([data[-40] ^ 1]) + data[-39:],
        "cut at a frame boundary": _without_final_frame(data),
        "bytes after the end": data + b"x",
        "not a backup": b"PK\x03\x04" + data[4:],
    }
    for name, bad in damaged.items():
        with pytest.raises(bk.BackupError):
            _read_stream(bad)
            pytest.fail(f"{name}: accepted")


@pytest.mark.django_db(transaction=False)
def test_secret_comes_from_key_passphrase_or_file_and_must_be_long(tmp_path, monkeypatch):
    monkeypatch.delenv("GUGUS_BACKUP_KEY", raising=False)
    monkeypatch.delenv("GUGUS_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(bk.BackupError, match="GUGUS_BACKUP_KEY"):
        bk.secret_from_environment()
    monkeypatch.setenv("GUGUS_BACKUP_PASSPHRASE", "frasa sandi yang panjang")
    assert bk.secret_from_environment() == (b"frasa sandi yang panjang", "passphrase")
    monkeypatch.setenv("GUGUS_BACKUP_KEY", KEY)
    assert bk.secret_from_environment() == (KEY.encode(), "key")
    pw = tmp_path / "frasa.txt"
    pw.write_text("frasa dari berkas panjang\n")
    assert bk.secret_from_environment(str(pw)) == (b"frasa dari berkas panjang", "passphrase")
    monkeypatch.setenv("GUGUS_BACKUP_KEY", "pendek")
    with pytest.raises(bk.BackupError, match="terlalu pendek"):
        bk.secret_from_environment()
    data = _stream_file(tmp_path, b"isi", secret=b"frasa dari berkas panjang")
    with pytest.raises(bk.BackupError):
        _read_stream(data, KEY.encode())


def _live_database(tmp_path):
    """A factory of connections to the database the writer and the backup share: the test
    database itself on PostgreSQL; on SQLite a file copy of it (an in-memory database cannot be
    shared with a writer thread). Each thread needs its own connection."""
    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "live.sqlite3"
    dst = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(dst)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.close()
    return lambda: bk.database_wrapper(
        connection.settings_dict, str(path), alias="default", options={"timeout": 30, "transaction_mode": "IMMEDIATE"}
    )


def test_backup_while_the_system_writes_is_consistent(personas, key, tmp_path, settings):
    from gugus.audit.services import record, verify_chain

    settings.MEDIA_ROOT = tmp_path / "media"
    _register(personas.cw_a, 3)
    live = _live_database(tmp_path)
    stop = threading.Event()
    written = []
    errors = []

    def writer():
        if live is not None:
            connections["default"] = live()  # this thread writes to the live file
        try:
            i = 0
            while not stop.is_set():
                record("load_test_write", actor=None, actor_label="penguji", object_type="x", object_id=i)
                if i % 5 == 0:
                    _register(personas.cw_a, 1, start=100 + i)
                written.append(i)
                i += 1
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(written) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        out = tmp_path / "live.gbk"
        start_count = len(written)
        source = live() if live is not None else connection
        report = bk.backup(out, secret=key, connection=source)
        during = len(written) - start_count
    finally:
        stop.set()
        thread.join(timeout=60)
        if live is not None:
            source.close()
    assert not errors, errors
    assert during > 0, "the writer must have been writing while the backup ran"

    _empty_install()
    bk.restore(out, secret=key)
    chain = verify_chain()
    assert chain.ok, f"snapshot torn between the audit events and the chain head: {chain.reason}"
    assert bk.table_checksums() == report.tables
    from gugus.cases.models import Case, CaseEvent

    # Every case in the snapshot comes with its timeline entry (one transaction, one snapshot).
    assert Case.objects.count() == CaseEvent.objects.filter(kind="registered").count()
