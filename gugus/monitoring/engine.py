"""The analytics engine: builds and refreshes the store, and reads values out of it.

Store: `AnalyticsValueA/B(element, region, province, period, disagg, value)` (two slots), one row
per data element × analytics region (kab/kota, or the record's own coarser level) × period key ×
disaggregation option. Every figure for a province, the nation, a quarter or a year is a SUM of
these rows; distinct persons are attributed to exactly one cell, so the sums never double count.

Functions the benchmark and the rest of the app call:

    rebuild_all()                      full rebuild into a new generation, swapped in atomically
    refresh(region_code, month)        recompute one kab/kota × month (month=0: every month)
    process_pending()                  apply queued refresh requests (the background task)
    element_series(...) / values_for(...)   read values (see `query`)
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import sql
from .elements import ElementSpec, Filter, Source, load_sources
from .models import SLOTS, AnalyticsGeneration, DataElement, RefreshRequest
from .periods import Period

log = logging.getLogger(__name__)

# Kinds of `record_changed` whose effect is confined to the record's own month: refresh that cell.
CELL_KINDS = {"case", "closing"}
CASE_KINDS = {"case"}


def analytics_region(code: str | None) -> str:
    if not code:
        return "ID"
    return code[: sql.KABKOTA_LEN]


def province_of(region: str) -> str:
    return region[:2]


# ---------------------------------------------------------------- data elements (catalogue)

_SPEC_CACHE: dict[str, DataElement] = {}


def sync_elements(sources: list[Source] | None = None) -> dict[str, int]:
    """Mirror the element specs into DataElement (idempotent). Unavailable sources' elements
    stay listed but are marked unavailable."""
    sources = sources if sources is not None else load_sources()
    seen = set()
    created = updated = 0
    for src in sources:
        for spec in src.specs:
            seen.add(spec.code)
            values = {
                "name_id": spec.name_id,
                "name_en": spec.name_en,
                "description": spec.description,
                "source": spec.source,
                "unit": spec.unit,
                "time_aggregation": spec.time_aggregation,
                "grain": spec.grain,
                "region_basis": spec.region_basis,
                "disaggregations": [c.as_json() for c in spec.categories],
                "distinct_persons": spec.distinct_persons,
                "available": True,
                "sort": spec.sort,
            }
            obj = DataElement.objects.filter(pk=spec.code).first()
            if obj is None:
                DataElement.objects.create(code=spec.code, **values)
                created += 1
            elif any(getattr(obj, k) != v for k, v in values.items()):
                DataElement.objects.filter(pk=spec.code).update(**values)
                updated += 1
    gone = DataElement.objects.exclude(code__in=seen).filter(available=True).update(available=False)
    _SPEC_CACHE.clear()
    return {"created": created, "updated": updated, "unavailable": gone}


def element_meta() -> dict[str, DataElement]:
    if not _SPEC_CACHE:
        _SPEC_CACHE.update({e.code: e for e in DataElement.objects.all()})
    return _SPEC_CACHE


# ---------------------------------------------------------------- generations


def active_generation() -> AnalyticsGeneration | None:
    return AnalyticsGeneration.objects.filter(status=AnalyticsGeneration.Status.ACTIVE).order_by("-id").first()


def value_model(generation: AnalyticsGeneration | int | None = None):
    """The table (slot model) holding a generation's values (default: the active one)."""
    if generation is None:
        generation = active_generation()
        if generation is None:
            return None
    if isinstance(generation, int):
        generation = AnalyticsGeneration.objects.get(pk=generation)
    return SLOTS[generation.slot]


def _normalise(rows, flt: Filter, acc: dict | None = None) -> dict:
    acc = {} if acc is None else acc
    for element, raw_region, period, disagg, value in rows:
        if not value:
            continue
        region = analytics_region(raw_region)
        if not flt.everything and (region != flt.region or (flt.month and period != flt.month)):
            continue
        key = (element, region, int(period), disagg or "")
        acc[key] = acc.get(key, 0.0) + float(value)
    return acc


def _to_rows(acc: dict) -> list[tuple]:
    return [
        (element, region, province_of(region), period, disagg, round(value, 6))
        for (element, region, period, disagg), value in acc.items()
        if value
    ]


@dataclass
class RebuildReport:
    generation: int
    rows: int
    seconds: float
    sources: dict
    replayed: int

    def __str__(self) -> str:
        parts = ", ".join(f"{k}: {v}" for k, v in self.sources.items())
        return f"generasi {self.generation}: {self.rows} nilai dalam {self.seconds:.1f} d ({parts})"


class RebuildInProgress(RuntimeError):
    pass


@contextlib.contextmanager
def rebuild_lock():
    """One rebuild at a time: a PostgreSQL advisory lock, or a file lock beside the SQLite data."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if not cur.fetchone()[0]:
                raise RebuildInProgress("Pembangunan ulang lain sedang berjalan.")
        try:
            yield
        finally:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    import fcntl
    import hashlib

    from django.conf import settings

    db_name = str(connection.settings_dict["NAME"])
    if "memory" in db_name:  # an in-memory database lives in this process only: a process lock
        if not _MEMORY_LOCK.acquire(blocking=False):
            raise RebuildInProgress("Pembangunan ulang lain sedang berjalan.")
        try:
            yield
        finally:
            _MEMORY_LOCK.release()
        return
    name = hashlib.sha256(db_name.encode()).hexdigest()[:12]
    with open(Path(settings.VAR_DIR) / f"monitoring-rebuild-{name}.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RebuildInProgress("Pembangunan ulang lain sedang berjalan.")
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_MEMORY_LOCK = threading.Lock()
LOCK_KEY = 8_141_612  # arbitrary, constant: the advisory lock of the monitoring rebuild


@contextlib.contextmanager
def _bulk_session():
    """Connection settings for the big scans, sorts and index builds of a rebuild: a larger page
    cache and in-memory temporary B-trees on SQLite (the default cache is 2 MB), generous sort
    memory on PostgreSQL. Durability settings are untouched (crash safety rests on them); no
    mmap (it would count the database file into the process's resident memory)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET work_mem = '256MB'")
            cur.execute("SET maintenance_work_mem = '512MB'")
        else:
            cur.execute("PRAGMA cache_size")
            old_cache = cur.fetchone()[0]
            cur.execute("PRAGMA cache_size = -262144")  # 256 MiB
            if not connection.in_atomic_block:  # SQLite refuses it inside a transaction (tests)
                cur.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("RESET work_mem")
                cur.execute("RESET maintenance_work_mem")
            else:
                cur.execute(f"PRAGMA cache_size = {int(old_cache)}")
                if not connection.in_atomic_block:
                    cur.execute("PRAGMA temp_store = DEFAULT")


def _prepare_slot(model) -> None:
    """Empty a slot table and drop its indexes, so the bulk load is a plain append."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        for index in model._meta.indexes:
            cur.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(index.name)}")
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {table}")
        else:
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - SQLite's truncate optimisation (no WHERE)


def _build_rollups(model) -> int:
    """Province and national roll-up rows: set-based INSERT … SELECT … GROUP BY over the base rows."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    cols = "element, region, province, period, disagg, value"
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} ({cols}) SELECT element, %s || province, province, period, disagg, SUM(value) "  # noqa: S608
            f"FROM {table} WHERE province <> %s AND region NOT LIKE %s GROUP BY element, province, period, disagg",
            [ROLLUP, "ID", ROLLUP + "%"],
        )
        n = cur.rowcount or 0
        # The nation = its provinces' roll-ups + the national-level base rows (38× fewer rows
        # to sort than summing every base row again).
        cur.execute(
            f"INSERT INTO {table} ({cols}) SELECT element, %s, %s, period, disagg, SUM(value) "  # noqa: S608
            f"FROM {table} WHERE region LIKE %s OR province = %s GROUP BY element, period, disagg",
            [ROLLUP + "ID", "ID", ROLLUP + "%", "ID"],
        )
        n += cur.rowcount or 0
    return max(n, 0)


def _index_slot(model) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        for index in model._meta.indexes:
            cols = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in index.fields)
            cur.execute(f"CREATE INDEX IF NOT EXISTS {connection.ops.quote_name(index.name)} ON {table} ({cols})")
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {table}")  # fresh statistics for the planner (SQLite does without)


def rebuild_all(*, note: str = "", stop_after_source: str | None = None) -> RebuildReport:
    """Compute every data element for every region and month into the slot the active generation
    does not use, then swap it in with one transaction. A rebuild killed half-way leaves the
    active generation untouched; the next rebuild marks the half-built one failed and starts over.

    `stop_after_source` (tests only) simulates a crash after that source was written."""
    with rebuild_lock(), _bulk_session():
        return _rebuild(note=note, stop_after_source=stop_after_source)


def _rebuild(*, note: str, stop_after_source: str | None) -> RebuildReport:
    t0 = time.monotonic()
    sources = load_sources()
    sync_elements(sources)
    active = active_generation()
    AnalyticsGeneration.objects.filter(status=AnalyticsGeneration.Status.BUILDING).update(
        status=AnalyticsGeneration.Status.FAILED, note="dihentikan sebelum selesai"
    )
    slot = "b" if active is not None and active.slot == "a" else "a"
    model = SLOTS[slot]
    gen = AnalyticsGeneration.objects.create(started_at=timezone.now(), note=note[:300], slot=slot)
    _prepare_slot(model)
    total = 0
    per_source: dict[str, object] = {}
    for src in sources:
        if not src.available:
            per_source[src.name] = "tidak tersedia"
            continue
        ts = time.monotonic()
        try:
            if getattr(src.module, "NORMALISED", False):
                # The source already yields one row per key with analytics-region codes.
                rows = [(e, r, province_of(r), p, d, round(v, 6)) for e, r, p, d, v in src.extract(Filter()) if v]
            else:
                rows = _to_rows(_normalise(src.extract(Filter()), Filter()))
        except Exception as exc:  # noqa: BLE001 - a broken source must not stop the others
            log.exception("monitoring source %s failed during rebuild", src.name)
            per_source[src.name] = f"gagal: {type(exc).__name__}"
            continue
        with transaction.atomic():
            sql.bulk_insert_values(model, rows)
        total += len(rows)
        per_source[src.name] = f"{len(rows)} ({time.monotonic() - ts:.1f} d)"
        if stop_after_source == src.name:
            raise RuntimeError(f"rebuild stopped after {src.name} (simulated crash)")
    ts = time.monotonic()
    total += _build_rollups(model)
    per_source["roll-up"] = f"{time.monotonic() - ts:.1f} d"
    ts = time.monotonic()
    _index_slot(model)
    per_source["indeks"] = f"{time.monotonic() - ts:.1f} d"
    # Swap: one transaction. Only a still-building generation may become active.
    with transaction.atomic():
        current = AnalyticsGeneration.objects.select_for_update().get(pk=gen.pk)
        if current.status != AnalyticsGeneration.Status.BUILDING:
            raise RuntimeError("generasi ini dibatalkan oleh pembangunan ulang lain")
        AnalyticsGeneration.objects.filter(status=AnalyticsGeneration.Status.ACTIVE).update(
            status=AnalyticsGeneration.Status.RETIRED
        )
        seconds = time.monotonic() - t0
        AnalyticsGeneration.objects.filter(pk=gen.pk).update(
            status=AnalyticsGeneration.Status.ACTIVE, finished_at=timezone.now(), rows=total, seconds=seconds
        )
    # Changes announced while building were applied to the old generation: replay them.
    replayed = 0
    cells = set(RefreshRequest.objects.filter(requested_at__gte=gen.started_at).values_list("region", "month", "kind"))
    for region, month, kind in cells:
        refresh(region, month, kinds={kind} if kind else None, generation=gen.id, bump=False)
        replayed += 1
    # Housekeeping: old generation records and processed requests older than the retired build.
    keep = list(AnalyticsGeneration.objects.order_by("-id").values_list("id", flat=True)[:10])
    AnalyticsGeneration.objects.exclude(id__in=keep).delete()
    if active is not None:
        RefreshRequest.objects.filter(done_at__lt=active.started_at).delete()
    return RebuildReport(gen.id, total, time.monotonic() - t0, per_source, replayed)


# ---------------------------------------------------------------- incremental refresh


def sources_for(kinds: set[str] | None, sources: list[Source]) -> list[Source]:
    if not kinds:
        return sources
    chosen = [s for s in sources if kinds & (s.cell_kinds() | s.region_wide_kinds())]
    return chosen or sources


def refresh(
    region_code: str, month: int = 0, *, kinds: set[str] | None = None, generation: int | None = None, bump: bool = True
) -> int:
    """Recompute one analytics region × month (month 0: all months of the region) in the active
    generation (or `generation`). When the cases source is involved, the cells of the same
    persons' other cases are recomputed too (a person is counted in the cell of their first case,
    which a change can move). Returns the number of rows written."""
    region = analytics_region(region_code)
    if generation is None:
        gen = active_generation()
        if gen is None:
            return 0
        generation = gen.id
    model = value_model(generation)
    flt = Filter(region=region, month=int(month or 0))
    all_sources = load_sources()
    sources = [s for s in sources_for(kinds, all_sources) if s.available]
    # A source that does not treat this kind as confined to one month recomputes every month.
    cell = [s for s in sources if not flt.month or not kinds or kinds & s.cell_kinds()]
    wide = [s for s in sources if s not in cell]
    written, changed = _refresh_cell(flt, cell, generation, model) if cell else (0, True)
    # A "case" change reaches the care and referral figures (all months of the region) only by
    # moving a case in or out of counting, of the region or of its identification month, and
    # each of those changes the cell's case counts (the old cell is announced too). A change
    # that moved no figure of the cell (a status step, an edited narrative) leaves them alone.
    # Likewise a person's first case (and with it their cell) moves only if a case changed in
    # one of the announced cells of that case, and then that cell's person counts move: the
    # cells of the same persons' other cases need no recomputation when nothing moved here.
    unmoved = bool(flt.month and kinds and kinds <= CASE_KINDS and not changed)
    if wide and unmoved:
        wide = []
    if wide:
        written += _refresh_cell(Filter(region=region, month=0), wide, generation, model)[0]
    cases_src = next((s for s in sources if s.name == "cases"), None)
    if cases_src is not None and not unmoved:
        from .elements.cases import related_cells

        for other_region, other_month in sorted(related_cells(flt) - {(region, flt.month)}):
            if flt.month == 0 and other_region == region:
                continue
            written += _refresh_cell(
                Filter(other_region, other_month, persons_only=True),
                [cases_src],
                generation,
                model,
                only=PERSON_ELEMENTS,
            )[0]
    if bump:
        AnalyticsGeneration.objects.filter(pk=generation).update(data_version=F("data_version") + 1)
    return written


PERSON_ELEMENTS = ("victims_identified", "victims_origin")


def _refresh_cell(flt: Filter, sources: list[Source], generation: int, model, only: tuple = ()) -> tuple[int, bool]:
    """Recompute `flt` for `sources` and write the difference; (rows written, whether any value changed)."""
    with transaction.atomic():
        # Refreshes are serialised on the generation row, extraction included: two workers
        # refreshing the same cell must neither interleave delete and insert (duplicates) nor
        # write an older extraction over a newer one.
        AnalyticsGeneration.objects.select_for_update().filter(pk=generation).first()
        acc: dict = {}
        codes: list[str] = []
        for src in sources:
            codes += [s.code for s in src.specs if not only or s.code in only]
            _normalise(src.extract(flt), flt, acc)
        rows = [r for r in _to_rows(acc) if r[0] in codes]
        qs = model.objects.filter(region=flt.region, element__in=codes)
        if flt.month:
            qs = qs.filter(period=flt.month)
        # Write only what changed (most record changes move no figure): the stored rows that
        # differ or vanished are deleted, the new or different ones inserted.
        stored: dict[tuple, tuple[float, list[int]]] = {}
        for pk, element, period, disagg, value in qs.values_list("id", "element", "period", "disagg", "value"):
            old, ids = stored.get((element, period, disagg), (0.0, []))
            stored[(element, period, disagg)] = (old + value, [*ids, pk])
        delta: dict[tuple, float] = {}
        stale: list[int] = []
        fresh = []
        for row in rows:
            key = (row[0], row[3], row[4])
            old, ids = stored.pop(key, (0.0, []))
            if ids and len(ids) == 1 and abs(old - row[5]) <= 1e-9:
                continue
            stale += ids
            fresh.append(row)
            delta[key] = row[5] - old
        for key, (old, ids) in stored.items():  # no longer produced: the value fell to zero
            stale += ids
            delta[key] = -old
        for i in range(0, len(stale), 500):
            model.objects.filter(id__in=stale[i : i + 500]).delete()
        sql.bulk_insert_values(model, fresh)
        delta = {k: v for k, v in delta.items() if abs(v) > 1e-9}
        _apply_rollup_delta(model, flt.region, delta)
    return len(fresh), bool(delta)


def _apply_rollup_delta(model, region: str, delta: dict[tuple, float]) -> None:
    """Add a cell's change to its province's and the nation's roll-up rows (read, adjust, rewrite;
    rows that fall to zero are removed, as a rebuild would not write them)."""
    if not delta:
        return
    elements = {k[0] for k in delta}
    periods = {k[1] for k in delta}
    for target in rollup_targets(region):
        prov = target[len(ROLLUP) :]
        existing = model.objects.filter(region=target, element__in=elements, period__in=periods)
        current = {
            (r[0], r[1], r[2]): (r[3], r[4]) for r in existing.values_list("element", "period", "disagg", "value", "id")
        }
        ids, new_rows = [], []
        for key, d in delta.items():
            old, pk = current.get(key, (0.0, None))
            if pk is not None:
                ids.append(pk)
            value = round(old + d, 6)
            if abs(value) > 1e-9:
                new_rows.append((key[0], target, prov, key[1], key[2], value))
        if ids:
            model.objects.filter(id__in=ids).delete()
        sql.bulk_insert_values(model, new_rows)


def bump_data_version() -> None:
    """Invalidate cached figures after a change of definitions (indicators, targets, policy,
    weights, context data): cached dashboards are keyed on the data version."""
    AnalyticsGeneration.objects.filter(status=AnalyticsGeneration.Status.ACTIVE).update(
        data_version=F("data_version") + 1
    )


def request_refresh(kind: str, region_code: str | None, date) -> RefreshRequest | None:
    """Queue the cell a `record_changed` announcement touches (deduplicated while pending)."""
    from .periods import month_key

    region = analytics_region(region_code)
    month = month_key(date) if (date is not None and kind in CELL_KINDS) else 0
    pending = RefreshRequest.objects.filter(done_at__isnull=True, region=region, month=month, kind=kind).first()
    if pending:
        return None
    return RefreshRequest.objects.create(region=region, month=month, kind=kind, requested_at=timezone.now())


def process_pending(limit: int = 500) -> int:
    """Apply queued refresh requests (oldest first). Region-wide requests absorb that region's cells."""
    pending = list(RefreshRequest.objects.filter(done_at__isnull=True).order_by("requested_at", "id")[:limit])
    if not pending:
        return 0
    groups: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in pending:
        groups[(r.region, r.month)].add(r.kind)
    # A region-wide request absorbs that region's cell requests (with their kinds).
    for (region, month), kinds in list(groups.items()):
        if month and (region, 0) in groups:
            groups[(region, 0)] |= kinds
            del groups[(region, month)]
    done = 0
    for (region, month), kinds in groups.items():
        refresh(region, month, kinds=kinds)
        done += 1
    RefreshRequest.objects.filter(id__in=[r.id for r in pending]).update(done_at=timezone.now())
    return done


# ---------------------------------------------------------------- reading values


ROLLUP = "~"  # prefix of the pre-summed province ("~32") and national ("~ID") rows


def rollup_targets(region: str) -> list[str]:
    """The roll-up rows an analytics region's values are added to."""
    prov = province_of(region)
    return [ROLLUP + "ID"] if prov == "ID" else [ROLLUP + prov, ROLLUP + "ID"]


_PROVINCES: list[str] = []


def province_rollups() -> list[str]:
    if not _PROVINCES:
        from gugus.reference.models import Region

        _PROVINCES.extend(ROLLUP + c for c in Region.objects.filter(level=1).values_list("code", flat=True))
    return _PROVINCES


_ANALYTICS_REGIONS: list[str] = []


def analytics_regions() -> list[str]:
    """Every code a base row can carry: the nation, the provinces and the kab/kota."""
    if not _ANALYTICS_REGIONS:
        from gugus.reference.models import Region

        _ANALYTICS_REGIONS.extend(["ID", *Region.objects.filter(level__in=(1, 2)).values_list("code", flat=True)])
    return _ANALYTICS_REGIONS


_KABKOTA: dict[str, list[str]] = {}


def kabkota_of(province: str) -> list[str]:
    if province not in _KABKOTA:
        from gugus.reference.models import Region

        _KABKOTA[province] = list(Region.objects.filter(parent_id=province, level=2).values_list("code", flat=True))
    return _KABKOTA[province]


@dataclass(frozen=True)
class RegionSet:
    """Which store rows make up a region. A province and the nation are read from their roll-up
    rows (the sums of their analytics regions, kept with the base rows), a kab/kota from its own
    rows; split by child, the nation reads the provinces' roll-ups, a province its base rows."""

    code: str

    @property
    def level(self) -> int:
        if self.code == "ID":
            return 0
        return 1 if "." not in self.code else 2

    def apply(self, qs, child: str | None = None):
        if child is None:
            return qs.filter(region=self.code if self.level == 2 else ROLLUP + self.code)
        if child == "province":  # the nation split by province: the provinces' roll-up rows
            return qs.filter(region__in=province_rollups())
        if self.level == 0:  # every analytics region, named so the region index is used
            return qs.filter(region__in=analytics_regions())
        if self.level == 1:  # the province's own rows and its kab/kota (index on region)
            return qs.filter(region__in=[self.code, *kabkota_of(self.code)])
        return qs.filter(region=self.code)


def _child_field(level: int) -> str | None:
    return {0: "province", 1: "region"}.get(level)


def fetch(
    refs: set[tuple[str, str]],
    region_code: str,
    first_month: int,
    last_month: int,
    *,
    by_child: bool = False,
    group: str | None = None,
    generation: int | None = None,
    collapse: bool = False,
    year_keys: tuple[int, ...] = (),
) -> dict:
    """{(element, disagg): {child_or_None: {period_key: value}}} for the region (and, with
    `by_child`, split by its provinces or kab/kota). Flow elements are read for
    [first_month, last_month] (and that span's per-year keys); stocks for every key ≤ last_month.
    With `collapse` (one period asked for) the database sums the whole span: the total is
    returned under the key `first_month` (flows) or 0 (stocks), so far fewer rows travel."""
    gen = active_generation() if generation is None else AnalyticsGeneration.objects.get(pk=generation)
    if gen is None:
        return {}
    model = SLOTS[gen.slot]
    meta = element_meta()
    region = RegionSet(region_code)
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    by_kind: dict[str, set] = {"sum": set(), "cumulative": set()}
    for code, disagg in refs:
        m = meta.get(code)
        if m is None:
            continue
        by_kind["cumulative" if m.time_aggregation == "cumulative" else "sum"].add((code, disagg))
    child = group or (_child_field(region.level) if by_child else None)
    for kind, wanted in by_kind.items():
        if not wanted:
            continue
        elements = sorted({c for c, _ in wanted})
        disaggs = sorted({d for _, d in wanted})
        qs = model.objects.filter(element__in=elements, disagg__in=disaggs)
        qs = region.apply(qs, child)
        if kind == "sum" and collapse:
            from django.db.models import Q

            qs = qs.filter(Q(period__gte=first_month, period__lte=last_month) | Q(period__in=list(year_keys)))
        elif kind == "sum":
            qs = qs.filter(period__gte=(first_month // 100) * 100, period__lte=last_month)
        else:
            qs = qs.filter(period__lte=last_month)
        fields = ["element", "disagg"] + ([] if collapse else ["period"]) + ([child] if child else [])
        from django.db.models import Sum

        fixed_key = (first_month if kind == "sum" else 0) if collapse else None
        for row in qs.values(*fields).annotate(v=Sum("value")).order_by():
            key = (row["element"], row["disagg"])
            if key not in wanted:
                continue
            pkey = fixed_key if collapse else row["period"]
            out[key][row[child] if child else None][pkey] += row["v"] or 0.0
    return out


def element_value(
    meta: DataElement | ElementSpec | None, series: dict[int, float] | None, period: Period
) -> float | None:
    """An element's value in `period` from its per-key series. None = not applicable (a per-year
    element asked for a month or quarter)."""
    if meta is None:
        return None
    series = series or {}
    if meta.time_aggregation == "cumulative":
        last = period.last_month
        return float(sum(v for k, v in series.items() if k <= last))
    if meta.grain == "year" and period.kind != "year":
        return None
    if meta.grain == "none":
        return float(sum(series.values()))
    first = period.first_month
    last = period.last_month
    total = 0.0
    for k, v in series.items():
        if first <= k <= last or period.covers_year_key(k):
            total += v
    return total


def element_values(
    refs: set[tuple[str, str]],
    region_code: str,
    periods: list[Period],
    *,
    children: list[str] | None = None,
    group: str | None = None,
) -> dict:
    """{period_code: {child_or_None: {(element, disagg): value}}}; with `children` (the codes of
    the region's provinces or kab/kota) the values are split by child instead. `group="region"`
    splits by analytics region (e.g. every kab/kota of the nation)."""
    if not periods:
        return {}
    first = min(p.first_month for p in periods)
    last = max(p.last_month for p in periods)
    single = periods[0] if len(periods) == 1 else None
    year_keys = (
        tuple(y * 100 for y in range(single.first_month // 100, single.year + 1))
        if single is not None and single.kind == "year"
        else ()
    )
    cube = fetch(
        refs,
        region_code,
        first,
        last,
        by_child=children is not None,
        group=group,
        collapse=single is not None,
        year_keys=year_keys,
    )
    meta = element_meta()
    out: dict = {}
    keys = list(children) if children is not None else [None]
    for p in periods:
        slot = out.setdefault(p.code, {})
        for ch in keys:
            vals = slot.setdefault(ch, {})
            for ref in refs:
                vals[ref] = element_value(meta.get(ref[0]), cube.get(ref, {}).get(ch), p)
    return out
