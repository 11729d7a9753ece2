"""`python -m bench` (or `make bench`): build or reuse the synthetic national data set, run every
benchmark, write bench/results/<db>-<benchmark>.json and the README table.

    make bench                                  # 1,000,000 victims, 5,000,000 services, SQLite
    make bench BENCH_ARGS="--victims 100000"    # quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gugus_bench make bench   # PostgreSQL

The SQLite data set lives in var/bench/, one file per (scale, seed, schema); on PostgreSQL the
database named by DATABASE_URL is used (it must be empty or an earlier benchmark database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
CACHE = ROOT / "var" / "bench"
FULL_SCALE = 1_000_000


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--victims", type=int, default=1_000_000, help="victims in the synthetic data set (default 1,000,000)"
    )
    p.add_argument("--services", type=int, default=None, help="service records (default 5 per victim)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    p.add_argument("--repeats", type=int, default=30, help="timed requests per variant (after 2-3 warm-ups)")
    # Budgets keep one full-scale run per database within about 20 minutes (docs/performance.md).
    p.add_argument(
        "--variant-budget",
        type=float,
        default=6.0,
        help="seconds of timed requests per variant before a slow one stops early (at least 5 samples; 0 = no cap)",
    )
    p.add_argument("--paging-budget", type=float, default=300.0, help="seconds allowed for paging through everything")
    p.add_argument("--import-rows", type=int, default=100_000, help="rows of the sheet for the import benchmark")
    p.add_argument(
        "--import-budget",
        type=float,
        default=150.0,
        help="seconds before an import is stopped, per format (XLSX, then CSV); 2.5x the 60 s target, "
        "so a stopped import has failed it",
    )
    p.add_argument("--regenerate", action="store_true", help="build the data set again even if cached")
    p.add_argument("--generate-only", action="store_true", help="build/reuse the data set, run nothing")
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--no-write", action="store_true", help="print results without writing bench/results")
    p.add_argument("-v", "--verbose", action="store_true", help="print every variant's figures")
    return p.parse_args(argv)


def _sqlite_marker_complete(path: Path, key: str) -> bool:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT info FROM bench_dataset WHERE id = 1").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    if not row:
        return False
    info = json.loads(row[0])
    return info.get("key") == key and bool(info.get("complete"))


def choose_database(args) -> str:
    """Point DATABASE_URL at the benchmark database; returns a label for the results ("sqlite"/"postgresql")."""
    from bench.dataset import dataset_key

    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        if url.startswith("postgres"):
            _ensure_pg_database(url)
            return "postgresql"
        return url.split(":", 1)[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    key = dataset_key(args.victims, args.services, args.seed)
    path = CACHE / f"sqlite-{key}.sqlite3"
    if path.exists() and (args.regenerate or not _sqlite_marker_complete(path, key)):
        print(f"[bench] removing incomplete or unwanted data set {path.name}", flush=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    # Keep one cached file per scale and seed: older schema versions go.
    for old in CACHE.glob(f"sqlite-v{args.victims}-s{args.services}-seed{args.seed}-*.sqlite3"):
        if old != path:
            print(f"[bench] removing stale data set {old.name}", flush=True)
            for suffix in ("", "-wal", "-shm"):
                Path(str(old) + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return "sqlite"


def _ensure_pg_database(url: str) -> None:
    """Create the database named in DATABASE_URL if it does not exist."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise SystemExit(f"Cannot connect to PostgreSQL: {exc}")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
    print(f"[bench] created database {cfg['NAME']}", flush=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gugus.settings")
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory and slows everything
    # The benchmarks' own 4xx answers (refusals they record) would flood the output as warnings.
    os.environ.setdefault("GUGUS_LOG_LEVEL", "ERROR")
    # Background tasks run inline, so "incremental refresh" includes the refresh itself.
    os.environ["GUGUS_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ.setdefault("GUGUS_AXES_ENABLED", "0")
    import django

    django.setup()


def write_result(label: str, result, common: dict) -> Path:
    from dataclasses import asdict

    from bench import env

    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": result.name,
        "title": result.title,
        "status": result.status,
        "reason": result.reason,
        "target": asdict(result.target) if result.target else None,
        "figures": result.figures,
        "variants": result.variants,
        "notes": result.notes,
        "seconds": round(result.seconds, 1),
        **common,
        # The load average when the benchmark ended, beside the one at the start in "machine".
        "loadavg_after": env.loadavg(),
    }
    path = RESULTS / f"{label}-{result.name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def _vacuum_once() -> None:
    """On PostgreSQL, VACUUM (ANALYZE) a freshly loaded data set once: a bulk-loaded table has no
    visibility map, so index-only scans (the duplicate check, the list arms) read the heap until
    autovacuum gets there, which would make the figures depend on when the run starts."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_vacuumed (key text PRIMARY KEY)")
        cur.execute("SELECT info FROM bench_dataset WHERE id = 1")
        key = json.loads(cur.fetchone()[0]).get("key", "")
        cur.execute("SELECT 1 FROM bench_vacuumed WHERE key = %s", [key])
        if cur.fetchone():
            return
        print("[bench] VACUUM (ANALYZE) of the freshly loaded data set", flush=True)
        cur.execute("VACUUM (ANALYZE)")
        cur.execute("INSERT INTO bench_vacuumed (key) VALUES (%s)", [key])


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.services is None:
        args.services = 5 * args.victims
    sys.path.insert(0, str(ROOT))
    from bench.benchmarks import BENCHMARKS, Bench

    if args.list:
        for name, fn in BENCHMARKS:
            print(f"{name:24} {(fn.__doc__ or '').strip()}")
        return 0
    label = choose_database(args)
    setup_django()
    from bench import measure

    measure.VARIANT_BUDGET_S = args.variant_budget
    from bench import env
    from bench.dataset import ensure_dataset
    from bench.world import World

    t0 = time.perf_counter()
    info = ensure_dataset(
        victims=args.victims, services=args.services, seed=args.seed, force=args.regenerate and label != "sqlite"
    )
    _vacuum_once()
    if args.generate_only:
        return 0
    from django.db import connection

    connection.close()  # reconnect with the normal settings (WAL, foreign keys)
    common = {
        "dataset": {
            k: info.get(k)
            for k in ("key", "victims", "services_target", "seed", "tables", "skipped", "generated_at", "seconds")
        },
        "machine": env.machine(),
        "database": env.database(),
        **env.commit(),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "args": {
            "victims": args.victims,
            "services": args.services,
            "seed": args.seed,
            "repeats": args.repeats,
            "variant_budget_s": args.variant_budget,
            "paging_budget_s": args.paging_budget,
            "import_rows": args.import_rows,
            "import_budget_s": args.import_budget,
        },
    }
    bench = Bench(
        world=World(),
        repeats=args.repeats,
        paging_budget_s=args.paging_budget,
        seed=args.seed,
        dataset=info,
        import_rows=args.import_rows,
        import_budget_s=args.import_budget,
    )
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    rows = []
    failed = 0
    for name, fn in BENCHMARKS:
        if only and name not in only:
            continue
        print(f"[bench] {name} …", flush=True)
        t = time.perf_counter()
        try:
            result = fn(bench)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            from bench.measure import Result

            result = Result(
                name=name, title=name, target=None, status="error", reason=f"{type(exc).__name__}: {str(exc)[:300]}"
            )
        result.seconds = time.perf_counter() - t
        if result.status == "pass" and args.victims < FULL_SCALE:
            result.status = "partial"
            result.notes.append(f"measured on {args.victims:,} victims; the target is set for {FULL_SCALE:,}")
        if not args.no_write:
            write_result(label, result, common)
        headline = ""
        if result.target and result.target.metric in result.figures:
            headline = f"{result.figures[result.target.metric]} {result.target.unit} (target {result.target.text})"
        print(
            f"[bench] {name}: {result.status.upper()} {headline} {result.reason}".rstrip()
            + f" [{result.seconds:.0f} s]",
            flush=True,
        )
        for note in result.notes:
            print(f"         note: {note}", flush=True)
        if args.verbose:
            print(f"         figures: {json.dumps(result.figures, default=str)[:600]}", flush=True)
            for v in result.variants:
                if "label" in v and "n" in v:
                    print(
                        f"         {v['label'][:48]:48} {str(v.get('persona', '')):12} {v.get('status', '')!s:>4} "
                        f"n={v['n']:<3} p50 {v.get('p50_ms')} p95 {v.get('p95_ms')} ms",
                        flush=True,
                    )
        rows.append((name, result.status))
        failed += result.status in ("fail", "error")
    if bench.dataset.get("added_victims"):
        from bench.dataset import write_marker

        write_marker(bench.dataset)  # records how far the cached data set drifted (see dataset.ensure_dataset)
    if not args.no_write:
        from bench.report import write_report

        path = write_report()
        print(f"[bench] README table written to {path.relative_to(ROOT)}")
    print(f"[bench] done in {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
