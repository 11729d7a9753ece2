"""Encrypted, consistent backups of the whole installation, and their restore.

`gugus backup --output FILE` takes a snapshot of every table (one consistent view of the
database while the system keeps running) and of the uploaded files in MEDIA_ROOT, and streams it
through zlib and AES-256-GCM into FILE. `gugus restore FILE` loads it into an empty installation
(the same code version, migrated) and checks every table's row count and checksum against the
snapshot's manifest before committing. See docs/operations.md.

Consistency
- SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies the live database into
  a private temporary file in one step (a read transaction: writers in WAL mode carry on); the
  tables are then read from that copy, which is deleted afterwards.
- PostgreSQL: one REPEATABLE READ, READ ONLY transaction reads every table, so all tables come
  from the same snapshot while the system keeps writing.
- Uploaded files are read after the database snapshot; files are only ever added, so a file
  uploaded during the backup may be included without a row pointing at it — never the reverse.

Format (version 1)
    b"GUGUSBK1" | u32 header length | header JSON (KDF, salt, nonce prefix, cipher, created_at)
    frames: u8 final | u32 length | AES-256-GCM(ciphertext+tag) of ≤ 1 MiB of the zlib stream;
            nonce = 4-byte random prefix ‖ 8-byte frame counter; associated data = SHA-256 of
            the header ‖ counter ‖ final flag, so frames cannot be reordered, swapped between
            files or cut off without detection.
The key is derived with scrypt (N=2**15, r=8, p=1) from GUGUS_BACKUP_KEY or a passphrase, with a
random salt per file. Inside: JSON lines (a header, each table's columns, its rows as arrays of
canonical values, its row count and SHA-256, each file's bytes with its size and SHA-256, and a
closing manifest). Values are canonical (UTC timestamps, UUIDs with dashes, decimals at their
field's scale, JSON with sorted keys), so a snapshot restores into SQLite or PostgreSQL alike.
Sessions (`django_session`) are left out: after a restore everyone logs in again.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"GUGUSBK1"
FORMAT = 1
CHUNK = 1 << 20
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
EXCLUDED_TABLES = {"django_session"}


class BackupError(Exception):
    """A backup cannot be written or read; the message says why (never a data value)."""


# ------------------------------------------------------------------------------------------------
# keys
# ------------------------------------------------------------------------------------------------
MIN_SECRET = 12


def secret_from_environment(passphrase_file: str | None = None) -> tuple[bytes, str]:
    """The secret and its kind: a passphrase file, GUGUS_BACKUP_KEY, or GUGUS_BACKUP_PASSPHRASE."""
    if passphrase_file:
        try:
            secret = Path(passphrase_file).read_text().strip()
        except OSError as exc:
            raise BackupError(f"Berkas frasa sandi tidak dapat dibaca: {exc.strerror}.")
        kind = "passphrase"
    elif os.environ.get("GUGUS_BACKUP_KEY"):
        secret, kind = os.environ["GUGUS_BACKUP_KEY"].strip(), "key"
    elif os.environ.get("GUGUS_BACKUP_PASSPHRASE"):
        secret, kind = os.environ["GUGUS_BACKUP_PASSPHRASE"], "passphrase"
    else:
        raise BackupError(
            "Tidak ada kunci cadangan: atur GUGUS_BACKUP_KEY (atau GUGUS_BACKUP_PASSPHRASE), "
            "atau beri --passphrase-file."
        )
    if len(secret) < MIN_SECRET:
        raise BackupError(f"Kunci/frasa sandi cadangan terlalu pendek (minimal {MIN_SECRET} karakter).")
    return secret.encode("utf-8"), kind


def derive_key(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


# ------------------------------------------------------------------------------------------------
# the encrypted stream
# ------------------------------------------------------------------------------------------------
class EncryptedWriter(io.RawIOBase):
    """A write-only stream: zlib, then AES-256-GCM frames of ≤ CHUNK bytes, into `fileobj`."""

    def __init__(self, fileobj, secret: bytes, secret_kind: str):
        super().__init__()
        self.out = fileobj
        salt, prefix = os.urandom(16), os.urandom(4)
        header = {
            "format": FORMAT,
            "cipher": "AES-256-GCM",
            "kdf": "scrypt",
            **SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(prefix).decode(),
            "compression": "zlib",
            "chunk": CHUNK,
            "secret": secret_kind,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        raw = json.dumps(header, sort_keys=True).encode()
        self.out.write(MAGIC + struct.pack(">I", len(raw)) + raw)
        self.aad = hashlib.sha256(MAGIC + raw).digest()
        self.aes = AESGCM(derive_key(secret, salt, **SCRYPT))
        self.prefix = prefix
        self.counter = 0
        self.zip = zlib.compressobj(6)
        self.buf = bytearray()
        self.bytes_out = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buf += self.zip.compress(bytes(data))
        while len(self.buf) >= CHUNK:
            self._frame(bytes(self.buf[:CHUNK]), final=False)
            del self.buf[:CHUNK]
        return len(data)

    def _frame(self, plain: bytes, *, final: bool) -> None:
        flag = b"\x01" if final else b"\x00"
        nonce = self.prefix + struct.pack(">Q", self.counter)
        ct = self.aes.encrypt(nonce, plain, self.aad + struct.pack(">Q", self.counter) + flag)
        self.out.write(flag + struct.pack(">I", len(ct)) + ct)
        self.bytes_out += len(ct) + 5
        self.counter += 1

    def finish(self) -> None:
        self.buf += self.zip.flush()
        while len(self.buf) > CHUNK:
            self._frame(bytes(self.buf[:CHUNK]), final=False)
            del self.buf[:CHUNK]
        self._frame(bytes(self.buf), final=True)
        self.buf.clear()


class _DecryptedRaw(io.RawIOBase):
    """Reads the frames back, checks each tag and the final frame, and inflates."""

    def __init__(self, fileobj, secret: bytes):
        super().__init__()
        self.src = fileobj
        magic = fileobj.read(len(MAGIC))
        if magic != MAGIC:
            raise BackupError("Berkas ini bukan cadangan Gugus (tanda pengenal tidak cocok).")
        (length,) = struct.unpack(">I", _read_exact(fileobj, 4))
        if length > 65536:
            raise BackupError("Kepala berkas cadangan rusak.")
        raw = _read_exact(fileobj, length)
        try:
            self.header = json.loads(raw)
        except ValueError:
            raise BackupError("Kepala berkas cadangan rusak.")
        if self.header.get("format") != FORMAT:
            raise BackupError(f"Versi format cadangan {self.header.get('format')} tidak didukung.")
        h = self.header
        self.aad = hashlib.sha256(MAGIC + raw).digest()
        self.aes = AESGCM(derive_key(secret, base64.b64decode(h["salt"]), h["n"], h["r"], h["p"]))
        self.prefix = base64.b64decode(h["nonce_prefix"])
        self.counter = 0
        self.unzip = zlib.decompressobj()
        self.pending = b""
        self.done = False

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        head = self.src.read(5)
        if len(head) < 5:
            raise BackupError("Berkas cadangan terpotong (bagian akhir hilang).")
        final = head[0] == 1
        (length,) = struct.unpack(">I", head[1:])
        if length > CHUNK + 64:
            raise BackupError("Berkas cadangan rusak (panjang bingkai tidak wajar).")
        ct = _read_exact(self.src, length)
        nonce = self.prefix + struct.pack(">Q", self.counter)
        try:
            plain = self.aes.decrypt(nonce, ct, self.aad + struct.pack(">Q", self.counter) + head[:1])
        except InvalidTag:
            if self.counter == 0:
                raise BackupError("Kunci atau frasa sandi salah, atau berkas cadangan rusak.")
            raise BackupError(f"Berkas cadangan rusak (bingkai {self.counter} tidak utuh).")
        self.counter += 1
        out = self.unzip.decompress(plain)
        if final:
            out += self.unzip.flush()
            self.done = True
            if self.src.read(1):
                raise BackupError("Berkas cadangan rusak (data setelah bingkai terakhir).")
        return out

    def readinto(self, b) -> int:
        while not self.pending and not self.done:
            self.pending = self._next()
        n = min(len(b), len(self.pending))
        b[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def _read_exact(f, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise BackupError("Berkas cadangan terpotong.")
    return data


def open_backup(fileobj, secret: bytes) -> tuple[dict, io.BufferedReader]:
    raw = _DecryptedRaw(fileobj, secret)
    return raw.header, io.BufferedReader(raw, buffer_size=CHUNK)


# ------------------------------------------------------------------------------------------------
# canonical values
# ------------------------------------------------------------------------------------------------
def _utc(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _generic(value):
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _canon_for(field) -> Callable:
    """Database value → canonical JSON value, by the Django field that owns the column."""
    if field is None:
        return _generic
    if field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return lambda v: None if v is None else _utc(v).isoformat()
    if kind == "DateField":
        return lambda v: None if v is None else (v if isinstance(v, str) else v.isoformat())[:10]
    if kind == "TimeField":
        return lambda v: None if v is None else (v if isinstance(v, str) else v.isoformat())
    if kind == "BooleanField":
        return lambda v: None if v is None else bool(v)
    if kind == "UUIDField":
        return lambda v: None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)))
    if kind == "DecimalField":
        q = Decimal(1).scaleb(-(field.decimal_places or 0))
        return lambda v: None if v is None else str(Decimal(str(v)).quantize(q))
    if kind == "JSONField":

        def canon_json(v):
            if v is None:
                return None
            obj = json.loads(v) if isinstance(v, str | bytes) else v
            return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

        return canon_json
    if kind == "BinaryField":
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode()
    return _generic


def _db_value_for(field, vendor: str) -> Callable:
    """Canonical JSON value → what this engine's insert expects."""
    if field is None:
        return lambda v: v
    if field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        if vendor == "sqlite":
            return lambda v: None if v is None else str(_utc(v).replace(tzinfo=None))
        return lambda v: v
    if kind == "BooleanField" and vendor == "sqlite":
        return lambda v: None if v is None else int(v)
    if kind == "UUIDField" and vendor == "sqlite":
        return lambda v: None if v is None else uuid.UUID(v).hex
    if kind == "BinaryField":
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------
@dataclass
class TableSpec:
    name: str
    pk: list[str]
    fields: dict  # column → Django field (or None)


def table_specs(connection) -> list[TableSpec]:
    """Every table Django manages in this database (models and many-to-many tables), sorted."""
    from django.apps import apps

    existing = set(connection.introspection.table_names())
    specs: dict[str, TableSpec] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in specs or meta.db_table not in existing:
            continue
        if meta.db_table in EXCLUDED_TABLES:
            continue
        specs[meta.db_table] = TableSpec(meta.db_table, [meta.pk.column], {f.column: f for f in meta.concrete_fields})
    return [specs[k] for k in sorted(specs)]


def _columns(connection, table: str) -> list[str]:
    with connection.cursor() as cur:
        return [c.name for c in connection.introspection.get_table_description(cur, table)]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_line(values: list) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def iter_canonical_rows(cursor, spec: TableSpec, columns: list[str], batch: int = 2000) -> Iterator[list]:
    canon = [_canon_for(spec.fields.get(c)) for c in columns]
    order = ", ".join(_q(c) for c in spec.pk if c in columns) or "1"
    # Table and column names come from Django's model metadata and the schema, quoted: no user input.
    cursor.execute(f"SELECT {', '.join(_q(c) for c in columns)} FROM {_q(spec.name)} ORDER BY {order}")  # noqa: S608
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            return
        for row in rows:
            yield [f(v) for f, v in zip(canon, row, strict=True)]


def table_checksums(connection=None) -> dict[str, dict]:
    """{table: {"rows": n, "sha256": hex}} of the live database, computed exactly as a backup
    computes them (canonical values in primary-key order)."""
    from django.db import connection as default

    connection = connection or default
    out = {}
    for spec in table_specs(connection):
        columns = _columns(connection, spec.name)
        h, n = hashlib.sha256(), 0
        with connection.cursor() as cur:
            for values in iter_canonical_rows(cur, spec, columns):
                h.update(_row_line(values))
                n += 1
        out[spec.name] = {"rows": n, "sha256": h.hexdigest()}
    return out


def applied_migrations(connection) -> list[list[str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(r) for r in cur.fetchall()]


def database_in_use(connection) -> list[str]:
    """Tables showing that an installation has been used: users, organisations, cases or audit
    events. (A fresh install holds only what `migrate` loads: reference data, content types.)"""
    from django.apps import apps

    labels = ["accounts.User", "accounts.Organisation", "cases.Case", "audit.AuditEvent"]
    existing = set(connection.introspection.table_names())
    busy = []
    with connection.cursor() as cur:
        for label in labels:
            try:
                table = apps.get_model(label)._meta.db_table
            except LookupError:
                continue
            if table not in existing:
                continue
            cur.execute(f"SELECT 1 FROM {_q(table)} LIMIT 1")  # noqa: S608 - model table name
            if cur.fetchone():
                busy.append(table)
    return busy


def clear_database(connection) -> None:
    """Delete every row of every managed table (sessions too). Used by restore --force."""
    names = [s.name for s in table_specs(connection)] + [
        t for t in EXCLUDED_TABLES if t in connection.introspection.table_names()
    ]
    from django.db import transaction

    with transaction.atomic(using=connection.alias), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(_q(n) for n in names) + " CASCADE")
        else:
            for n in names:
                cur.execute(f"DELETE FROM {_q(n)}")  # noqa: S608 - model table name


# ------------------------------------------------------------------------------------------------
# backup
# ------------------------------------------------------------------------------------------------
@dataclass
class Report:
    tables: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    seconds: float = 0.0
    bytes: int = 0
    verified: bool = False
    problems: list = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())


class _Emitter:
    def __init__(self, stream: EncryptedWriter):
        self.stream = stream

    def record(self, obj: dict) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")


def _dump_tables(connection, emit: _Emitter, report: Report, progress) -> None:
    for spec in table_specs(connection):
        columns = _columns(connection, spec.name)
        emit.record({"t": "table", "name": spec.name, "columns": columns})
        h, n = hashlib.sha256(), 0
        cursor = connection.chunked_cursor() if connection.vendor == "postgresql" else connection.cursor()
        try:
            for values in iter_canonical_rows(cursor, spec, columns):
                line = _row_line(values)
                h.update(line)
                emit.stream.write(line)
                n += 1
        finally:
            cursor.close()
        report.tables[spec.name] = {"rows": n, "sha256": h.hexdigest()}
        emit.record({"t": "end_table", "name": spec.name, **report.tables[spec.name]})
        if progress:
            progress(f"{spec.name}: {n} baris")


def database_wrapper(settings_dict: dict, name: str, *, alias: str, options: dict | None = None):
    """A Django connection to another SQLite file, outside `django.db.connections` (a private
    connection: nothing else in the process picks it up). `alias` names the connection whose
    transaction bookkeeping Django may consult for feature checks."""
    from django.db.utils import load_backend

    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper({**settings_dict, "NAME": name, "OPTIONS": options or {}, "TEST": {}}, alias)


def _dump_sqlite(connection, emit: _Emitter, report: Report, progress, header: dict) -> None:
    """Copy the live SQLite database with the online backup API, then read the copy."""
    connection.ensure_connection()
    private = tempfile.mkdtemp(prefix="gugus-backup-")
    os.chmod(private, 0o700)
    copy_path = os.path.join(private, "snapshot.sqlite3")
    try:
        target = sqlite3.connect(copy_path)
        try:
            connection.connection.backup(target)  # one step: a consistent snapshot
        finally:
            target.close()
        snap = database_wrapper(connection.settings_dict, copy_path, alias=connection.alias)
        try:
            header["migrations"] = applied_migrations(snap)
            emit.record(header)
            _dump_tables(snap, emit, report, progress)
        finally:
            snap.close()
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _dump_postgresql(connection, emit: _Emitter, report: Report, progress, header: dict) -> None:
    from django.db import transaction

    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SET LOCAL TIME ZONE 'UTC'")
        header["migrations"] = applied_migrations(connection)
        emit.record(header)
        _dump_tables(connection, emit, report, progress)


def _dump_media(media_root: Path, emit: _Emitter, report: Report) -> None:
    if not media_root.is_dir():
        return
    for path in sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(media_root).as_posix()
        size = path.stat().st_size
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(CHUNK), b""):
                h.update(block)
        if path.stat().st_size != size:
            continue  # changed while reading: it is being written, leave it for the next backup
        emit.record({"t": "file", "path": rel, "size": size, "sha256": h.hexdigest()})
        written = 0
        with path.open("rb") as fh:
            while written < size:
                block = fh.read(min(CHUNK, size - written))
                if not block:
                    raise BackupError(f"Berkas unggahan berubah saat dicadangkan: {rel}")
                emit.stream.write(block)
                written += len(block)
        report.files[rel] = {"size": size, "sha256": h.hexdigest()}


def backup(
    output: str | os.PathLike,
    *,
    secret: bytes,
    secret_kind: str = "key",  # noqa: S107 - a label
    include_media: bool = True,
    connection=None,
    media_root: str | os.PathLike | None = None,
    progress=None,
) -> Report:
    """Write an encrypted snapshot to `output` (atomically: a partial file never has its name)."""
    from django.conf import settings
    from django.db import connection as default

    connection = connection or default
    media = Path(media_root or settings.MEDIA_ROOT)
    out = Path(output)
    partial = out.with_name(out.name + ".partial")
    started = time.perf_counter()
    report = Report()
    header = {
        "t": "header",
        "format": FORMAT,
        "engine": connection.vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            stream = EncryptedWriter(fh, secret, secret_kind)
            emit = _Emitter(stream)
            if connection.vendor == "sqlite":
                _dump_sqlite(connection, emit, report, progress, header)
            elif connection.vendor == "postgresql":
                _dump_postgresql(connection, emit, report, progress, header)
            else:
                raise BackupError(f"Mesin basis data '{connection.vendor}' tidak didukung.")
            if include_media:
                _dump_media(media, emit, report)
            emit.record({"t": "manifest", "tables": report.tables, "files": report.files})
            emit.record({"t": "end"})
            stream.finish()
            fh.flush()
            os.fsync(fh.fileno())
            report.bytes = stream.bytes_out
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


# ------------------------------------------------------------------------------------------------
# restore
# ------------------------------------------------------------------------------------------------
def _insert_rows(connection, spec: TableSpec, columns: list[str], rows: Iterator[list]) -> int:
    convert = [_db_value_for(spec.fields.get(c), connection.vendor) for c in columns]
    names = ", ".join(_q(c) for c in columns)
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {_q(spec.name)} ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row([f(v) for f, v in zip(convert, values, strict=True)])
                    n += 1
            return n
        sql = f"INSERT INTO {_q(spec.name)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch = []
        for values in rows:
            batch.append([f(v) for f, v in zip(convert, values, strict=True)])
            n += 1
            if len(batch) >= 5000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
    return n


def _reset_sequences(connection) -> None:
    from django.apps import apps
    from django.core.management.color import no_style

    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def restore(
    source: str | os.PathLike,
    *,
    secret: bytes,
    force: bool = False,
    connection=None,
    media_root: str | os.PathLike | None = None,
    verify: bool = True,
    progress=None,
) -> Report:
    """Load a snapshot into an empty installation, in one transaction; nothing is kept if any
    table's count or checksum does not match the snapshot's manifest."""
    from django.conf import settings
    from django.db import connection as default
    from django.db import transaction

    connection = connection or default
    media = Path(media_root or settings.MEDIA_ROOT)
    started = time.perf_counter()
    report = Report()
    busy = database_in_use(connection)
    if busy and not force:
        raise BackupError(
            "Basis data tujuan tidak kosong (berisi data di: "
            + ", ".join(busy[:8])
            + (" …" if len(busy) > 8 else "")
            + "). Pulihkan ke instalasi baru, atau gunakan --force untuk MENGHAPUS isinya."
        )
    if media.is_dir() and any(media.iterdir()) and not force:
        raise BackupError(f"Folder unggahan {media} tidak kosong. Gunakan --force untuk menimpanya.")
    specs = {s.name: s for s in table_specs(connection)}
    staged = Path(tempfile.mkdtemp(prefix="gugus-restore-", dir=media.parent if media.parent.is_dir() else None))
    try:
        with open(source, "rb") as raw:
            _, stream = open_backup(raw, secret)
            first = _read_record(stream)
            if first.get("t") != "header" or first.get("format") != FORMAT:
                raise BackupError("Isi cadangan tidak dikenal.")
            mine = applied_migrations(connection)
            if sorted(map(tuple, first.get("migrations", []))) != sorted(map(tuple, mine)):
                theirs = {tuple(m) for m in first.get("migrations", [])}
                ours = {tuple(m) for m in mine}
                diff = sorted(theirs ^ ours)[:6]
                raise BackupError(
                    "Versi skema berbeda dengan cadangan (migrasi berbeda: "
                    + ", ".join(f"{a}.{n}" for a, n in diff)
                    + "). Pulihkan dengan versi Gugus yang sama dengan saat cadangan dibuat."
                )
            with transaction.atomic(using=connection.alias):
                if connection.vendor == "postgresql":
                    with connection.cursor() as cur:
                        cur.execute("SET LOCAL TIME ZONE 'UTC'")
                        cur.execute("SET CONSTRAINTS ALL DEFERRED")
                clear_database(connection)
                manifest = _restore_stream(connection, stream, specs, staged, report, progress)
                if connection.vendor == "postgresql":
                    _reset_sequences(connection)
                report.problems += _compare(manifest, report)
                if verify and not report.problems:
                    live = table_checksums(connection)
                    for name, expected in manifest["tables"].items():
                        if live.get(name) != expected:
                            report.problems.append(f"{name}: isi setelah pemulihan berbeda dari cadangan")
                if report.problems:
                    raise BackupError("Pemulihan dibatalkan: " + "; ".join(report.problems[:5]))
                report.verified = verify
                # Files last: the database transaction commits only if they are in place too.
                _move_files(staged, media, force)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _read_record(stream) -> dict:
    line = stream.readline()
    if not line:
        raise BackupError("Isi cadangan berakhir terlalu cepat.")
    try:
        obj = json.loads(line)
    except ValueError:
        raise BackupError("Isi cadangan rusak.")
    if not isinstance(obj, dict):
        raise BackupError("Isi cadangan rusak (urutan tidak terduga).")
    return obj


def _restore_stream(connection, stream, specs: dict, staged: Path, report: Report, progress) -> dict:
    while True:
        rec = _read_record(stream)
        kind = rec.get("t")
        if kind == "table":
            name, columns = rec["name"], rec["columns"]
            spec = specs.get(name)
            if spec is None:
                raise BackupError(f"Tabel {name} dari cadangan tidak ada di instalasi ini.")
            missing = set(columns) - set(_columns(connection, name))
            if missing:
                raise BackupError(f"Tabel {name}: kolom {', '.join(sorted(missing))} tidak ada di instalasi ini.")
            h = hashlib.sha256()
            end: dict = {}

            def rows(h=h, end=end):
                while True:
                    line = stream.readline()
                    if line.startswith(b"["):
                        h.update(line)
                        yield json.loads(line)
                        continue
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        raise BackupError("Isi cadangan rusak.")
                    end.update(obj)
                    return

            n = _insert_rows(connection, spec, columns, rows())
            if end.get("t") != "end_table" or end.get("name") != name:
                raise BackupError(f"Tabel {name} dalam cadangan tidak lengkap.")
            report.tables[name] = {"rows": n, "sha256": h.hexdigest()}
            if progress:
                progress(f"{name}: {n} baris")
        elif kind == "file":
            rel = rec["path"]
            target = (staged / rel).resolve()
            if Path(rel).is_absolute() or ".." in Path(rel).parts or staged.resolve() not in target.parents:
                raise BackupError("Cadangan memuat jalur berkas yang tidak aman.")
            target.parent.mkdir(parents=True, exist_ok=True)
            h, left = hashlib.sha256(), int(rec["size"])
            with target.open("wb") as fh:
                while left:
                    block = stream.read(min(CHUNK, left))
                    if not block:
                        raise BackupError("Isi cadangan terpotong di tengah berkas unggahan.")
                    h.update(block)
                    fh.write(block)
                    left -= len(block)
            report.files[rel] = {"size": int(rec["size"]), "sha256": h.hexdigest()}
        elif kind == "manifest":
            manifest = rec
            end = _read_record(stream)
            if end.get("t") != "end" or stream.read(1):
                raise BackupError("Isi cadangan rusak setelah manifes.")
            return manifest
        else:
            raise BackupError("Isi cadangan tidak dikenal.")


def _compare(manifest: dict, report: Report) -> list[str]:
    problems = []
    for name, expected in manifest.get("tables", {}).items():
        got = report.tables.get(name)
        if got != expected:
            problems.append(f"{name}: jumlah/checksum baris tidak cocok")
    for rel, expected in manifest.get("files", {}).items():
        if report.files.get(rel) != expected:
            problems.append(f"berkas {rel} tidak cocok")
    return problems


def _move_files(staged: Path, media: Path, force: bool) -> None:
    files = [p for p in staged.rglob("*") if p.is_file()]
    if not files:
        return
    if force and media.is_dir():
        for child in media.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    media.mkdir(parents=True, exist_ok=True)
    for p in files:
        dest = media / p.relative_to(staged)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(p, dest)


def read_manifest(source: str | os.PathLike, *, secret: bytes) -> dict:
    """The manifest of a backup file (reads the whole stream and checks every frame)."""
    with open(source, "rb") as raw:
        _, stream = open_backup(raw, secret)
        while True:
            line = stream.readline()
            if not line:
                raise BackupError("Isi cadangan berakhir tanpa manifes.")
            if line.startswith(b"{"):
                rec = json.loads(line)
                if rec.get("t") == "file":
                    left = int(rec["size"])
                    while left:
                        block = stream.read(min(CHUNK, left))
                        if not block:
                            raise BackupError("Isi cadangan terpotong.")
                        left -= len(block)
                elif rec.get("t") == "manifest":
                    return rec
