"""Fast bulk writes for the synthetic data set.

Rows go straight to the database, bypassing model instances: `executemany` on SQLite (with the
journal off and a big cache while generating), `COPY ... FROM STDIN` through psycopg's
`cursor.copy()` on PostgreSQL. Columns are the model's concrete fields (attnames), so the writer
follows the schema as the apps change it; a NOT NULL column the generator does not supply gets the
field's Python default, and one without a default is reported by name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED


class MissingColumn(RuntimeError):
    """The generator does not know how to fill a NOT NULL column of a model."""


def concrete_columns(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField)
    ]


def _now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def to_db(value, vendor: str):
    """Python value → what executemany (sqlite) or COPY text (postgresql) accepts."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, uuid.UUID):
        return value.hex if vendor == "sqlite" else str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ") if vendor == "sqlite" else value.isoformat(sep=" ") + "+00:00"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def field_default(field: models.Field, vendor: str):
    """The value a NOT NULL column gets when the generator does not supply it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return to_db(_now_utc(), vendor)
    if field.has_default():
        default = field.get_default()
        if isinstance(field, models.JSONField):
            return json.dumps(default)
        if isinstance(field, models.ForeignKey) and isinstance(default, models.Model):
            default = default.pk
        return to_db(default, vendor)
    if field.db_default is not NOT_PROVIDED:
        return None  # never reached for an explicit column list; kept for clarity
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""
    raise MissingColumn(f"{field.model._meta.label}.{field.attname}")


class BulkWriter:
    """insert(model, n, {attname: list | constant}) — columns given as lists (length n) or constants."""

    def __init__(self, batch: int = 20000):
        self.vendor = connection.vendor
        self.batch = batch
        self.counts: dict[str, int] = {}

    # -- session tuning ------------------------------------------------------------------------
    def fast_session(self) -> None:
        with connection.cursor() as cur:
            if self.vendor == "sqlite":
                for pragma in (
                    "foreign_keys=OFF",
                    "journal_mode=OFF",
                    "synchronous=OFF",
                    "cache_size=-400000",
                    "temp_store=MEMORY",
                    "locking_mode=EXCLUSIVE",
                ):
                    cur.execute(f"PRAGMA {pragma}")
            elif self.vendor == "postgresql":
                cur.execute("SET synchronous_commit = off")
                # FK triggers off while loading generated rows (needs a superuser); ids are consistent by
                # construction. Without the privilege the checks stay on, which is only slower.
                with contextlib.suppress(Exception):
                    cur.execute("SET session_replication_role = replica")

    def normal_session(self) -> None:
        with connection.cursor() as cur:
            if self.vendor == "sqlite":
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA locking_mode=NORMAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA journal_mode=WAL")
            elif self.vendor == "postgresql":
                cur.execute("SET session_replication_role = origin")

    # -- indexes: dropped while loading a big table, rebuilt once at the end ---------------------
    def drop_indexes(self, model) -> list[str]:
        table = model._meta.db_table
        with connection.cursor() as cur:
            if self.vendor == "sqlite":
                cur.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
                    [table],
                )
                found = cur.fetchall()
                for name, _ in found:
                    cur.execute(f'DROP INDEX "{name}"')
                return [sql for _, sql in found]
            if self.vendor == "postgresql":
                cur.execute(
                    """SELECT i.indexname, i.indexdef FROM pg_indexes i
                       WHERE i.tablename = %s AND i.schemaname = current_schema()
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
                    [table],
                )
                found = cur.fetchall()
                for name, _ in found:
                    cur.execute(f'DROP INDEX "{name}"')
                return [sql for _, sql in found]
        return []

    def create_indexes(self, ddl: Iterable[str]) -> None:
        with connection.cursor() as cur:
            for sql in ddl:
                cur.execute(sql)

    def db_columns(self, table: str) -> set[str]:
        """The table's columns as migrated (a model may be ahead of its migrations while apps are written)."""
        if not hasattr(self, "_columns"):
            self._columns: dict[str, set[str]] = {}
        if table not in self._columns:
            with connection.cursor() as cur:
                self._columns[table] = {c.name for c in connection.introspection.get_table_description(cur, table)}
        return self._columns[table]

    # -- the insert ------------------------------------------------------------------------------
    def insert(self, model, n: int, columns: dict[str, object]) -> int:
        if n <= 0:
            return 0
        fields = [f for f in concrete_columns(model) if f.column in self.db_columns(model._meta.db_table)]
        names, iters = [], []
        by_attname = {f.attname: f for f in fields}
        unknown = {c for c in set(columns) - set(by_attname) if c not in {f.attname for f in concrete_columns(model)}}
        if unknown:
            raise MissingColumn(f"{model._meta.label}: unknown columns {sorted(unknown)}")
        for f in fields:
            names.append(f.column)
            if f.attname in columns:
                value = columns[f.attname]
                if isinstance(value, list | tuple):
                    if len(value) != n:
                        raise ValueError(f"{model._meta.label}.{f.attname}: {len(value)} values for {n} rows")
                    iters.append(value)
                else:
                    iters.append(itertools.repeat(to_db(value, self.vendor), n))
            else:
                iters.append(itertools.repeat(field_default(f, self.vendor), n))
        rows = zip(*iters, strict=False)
        self._write(model._meta.db_table, names, rows)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + n
        return n

    def _write(self, table: str, names: Sequence[str], rows: Iterable[tuple]) -> None:
        cols = ", ".join(f'"{c}"' for c in names)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                raw = cur.cursor  # psycopg cursor under Django's wrapper
                with raw.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * len(names))
            sql = f'INSERT INTO "{table}" ({cols}) VALUES ({marks})'
            while True:
                chunk = list(itertools.islice(rows, self.batch))
                if not chunk:
                    break
                cur.executemany(sql, chunk)


def uuid_hex_list(rng, n: int) -> list[str]:
    """n random version-4 UUIDs as 32 hex digits (accepted by both engines), deterministic for rng."""
    out = []
    for _ in range(n):
        v = rng.getrandbits(128)
        v = (v & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        v = (v & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        out.append(f"{v:032x}")
    return out


def hex_to_uuid(h: str) -> uuid.UUID:
    return uuid.UUID(hex=h)
