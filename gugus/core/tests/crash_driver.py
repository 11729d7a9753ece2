"""Work that the crash-safety test runs in a child process and kills with SIGKILL.

    python -m gugus.core.tests.crash_driver import-setup ROWS PREFIX MODE
    python -m gugus.core.tests.crash_driver import-commit BATCH ACTOR MODE   # prints "row" per committed row
    python -m gugus.core.tests.crash_driver monitoring-setup VICTIMS
    python -m gugus.core.tests.crash_driver rebuild [--slow]                 # prints "source" per source written
    python -m gugus.core.tests.crash_driver state [BATCH…]

The database is whatever DATABASE_URL names (a file, never the in-memory test database). Each
command prints one JSON line last. "Slow" modes pause briefly after each unit of work so the
test can kill the process reliably in the middle; the work itself is the real code path.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gugus.settings")
    os.environ.setdefault("GUGUS_FAST_HASHER", "1")
    os.environ["GUGUS_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    import django

    django.setup()


def _out(obj) -> None:
    print(json.dumps(obj, default=str), flush=True)


def _accounts():
    from gugus.accounts import demo
    from gugus.core.demo import DemoContext

    ctx = DemoContext(seed=1, victims=0)
    demo.populate(ctx)
    return ctx.users


def victims_csv(rows: int, prefix: str) -> bytes:
    """A victims sheet as a case worker fills it in (header labels of the importer)."""
    from gugus.reference.models import Code

    channel = Code.objects.get(key="identification_channel.hotline").label_id
    female = Code.objects.get(key="sex.female").label_id
    form = Code.objects.get(key="exploitation.forced_labour_or_services").label_id
    out = io.StringIO()
    out.write(
        "ID Eksternal;Tanggal identifikasi;Jalur identifikasi;Nama lengkap;Jenis kelamin;Perkiraan usia;"
        "Wilayah asal;Bentuk eksploitasi\r\n"
    )
    for i in range(rows):
        out.write(
            f"{prefix}-{i:06d};{1 + i % 28}/0{1 + i % 9}/2025;{channel};Korban Sintetis {prefix} {i};{female};"
            f"{18 + i % 30};Kab. Indramayu;{form}\r\n"
        )
    return out.getvalue().encode("utf-8")


def import_setup(rows: int, prefix: str, mode: str) -> None:
    from gugus.exchange.models import ImportStatus
    from gugus.exchange.services import import_commit, import_upload, import_validate_run

    users = _accounts()
    actor = users["cw-3212"]
    data = victims_csv(rows, prefix)
    batch = import_upload(
        actor=actor, kind="victims", fileobj=io.BytesIO(data), filename=f"{prefix}.csv", size=len(data)
    )
    batch = import_validate_run(batch.pk)
    if batch.status != ImportStatus.VALIDATED:
        _out({"error": f"validation ended in {batch.status}: {batch.message}", "invalid": batch.rows_invalid})
        sys.exit(2)
    batch = import_commit(actor=actor, batch=batch, mode=mode)
    _out(
        {
            "batch": batch.pk,
            "actor": actor.pk,
            "valid": batch.rows_valid,
            "status": batch.status,
            "state": state([str(batch.pk)]),
        }
    )


def import_commit_slow(batch_id: str, actor_id: int, mode: str) -> None:
    from gugus.exchange import importers
    from gugus.exchange.services import import_commit_run

    importer = importers.importer_for("victims")
    real = importer.commit

    def commit(actor, payload, organisation):
        result = real(actor, payload, organisation)
        print("row", flush=True)
        time.sleep(0.01)
        return result

    importer.commit = commit
    before = state([batch_id])
    batch = import_commit_run(batch_id, actor_id, mode)
    _out(
        {
            "status": batch.status,
            "committed": batch.rows_committed,
            "failed": batch.rows_failed,
            "state_before": before,
            "state": state([batch_id]),
        }
    )


def monitoring_setup(victims: int) -> None:
    import datetime as dt

    from gugus.cases.services import VictimData, victim_register
    from gugus.monitoring import engine
    from gugus.monitoring.loader import ensure_loaded

    users = _accounts()
    for i in range(victims):
        victim_register(
            actor=users["cw-3212"],
            data=VictimData(
                sex="female" if i % 3 else "male",
                identification_date=dt.date(2025, 1 + i % 12, 1 + i % 28),
                identification_channel="hotline",
                full_name=f"Korban Pantau {i}",
                domicile_region="32.12",
                estimated_age=12 + i % 40,
                exploitation_forms=["forced_labour_or_services"],
            ),
        )
    ensure_loaded()
    report = engine.rebuild_all(note="crash test: first build")
    _out({"generation": report.generation, "rows": report.rows, "state": state([])})


def rebuild(slow: bool) -> None:
    from gugus.monitoring import engine
    from gugus.monitoring.loader import ensure_loaded

    if slow:
        real = engine.sql.bulk_insert_values

        def bulk_insert_values(rows, *a, **kw):
            result = real(rows, *a, **kw)
            print("source", flush=True)
            time.sleep(1.0)
            return result

        engine.sql.bulk_insert_values = bulk_insert_values
    ensure_loaded()
    before = state([])
    report = engine.rebuild_all(note="crash test")
    _out({"generation": report.generation, "rows": report.rows, "state_before": before, "state": state([])})


def state(batches: list[str]) -> dict:

    from gugus.cases.models import Case, Victim

    out: dict = {"victims": Victim.objects.count(), "cases": Case.objects.count()}
    try:
        from gugus.exchange.models import ImportBatch, ImportRecord

        out["import_records"] = ImportRecord.objects.count()
        out["distinct_external_ids"] = ImportRecord.objects.values("external_id").distinct().count()
        out["batches"] = {str(b.pk): b.status for b in ImportBatch.objects.filter(pk__in=batches)}
    except ImportError:
        pass
    try:
        from gugus.monitoring.models import AnalyticsGeneration, AnalyticsValueA, AnalyticsValueB

        gens = list(AnalyticsGeneration.objects.order_by("id"))
        out["generations"] = [[g.id, g.status, g.rows] for g in gens]
        # Values live in one of two slot tables; a slot holds the values of the generation
        # that last filled it (active, or building when a rebuild was killed).
        slots = {"a": AnalyticsValueA.objects.count(), "b": AnalyticsValueB.objects.count()}
        out["values_by_generation"] = {
            str(g.id): slots.get(g.slot, 0) for g in gens if g.status in ("active", "building")
        }
    except ImportError:
        pass
    return out


def main(argv: list[str]) -> None:
    _setup()
    cmd, args = argv[0], argv[1:]
    if cmd == "import-setup":
        import_setup(int(args[0]), args[1], args[2])
    elif cmd == "import-commit":
        import_commit_slow(args[0], int(args[1]), args[2])
    elif cmd == "monitoring-setup":
        monitoring_setup(int(args[0]))
    elif cmd == "rebuild":
        rebuild("--slow" in args)
    elif cmd == "state":
        _out(state(args))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
