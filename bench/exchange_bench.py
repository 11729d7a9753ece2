"""Import of a 100,000-row sheet and export of 1,000,000 rows (issue 9), measured through
gugus/exchange's own functions and pages.

Import: a sheet of victims as a case worker fills it in (the importer's header labels), as XLSX
(xlsxwriter) and as CSV, each taken end to end — upload here, then validation of every row and
commit of the valid rows in a child process, as the background worker runs them. The child is
bounded: stopped past the time budget (`--import-budget`) or the memory budget
(GUGUS_BENCH_IMPORT_MEM_MIB, default 1024 MiB). Reported: seconds, rows/s (end to end, validation,
commit), CPU seconds of each phase, and the child's peak resident memory (VmHWM).

Export: the national user's case list as CSV, streamed from /pertukaran/ekspor/cases.csv (the
page a user clicks), every chunk read and thrown away; resident memory sampled while streaming.
"""

from __future__ import annotations

import gc
import io
import time

from .env import rss_mib
from .measure import Result, Target

HEADER = [
    "ID Eksternal",
    "Tanggal identifikasi",
    "Jalur identifikasi",
    "Nama lengkap",
    "Jenis kelamin",
    "Perkiraan usia",
    "Wilayah asal",
    "Bentuk eksploitasi",
]
REGIONS = ["Kab. Indramayu", "Kabupaten Cirebon", "Kota Kupang", "Kab. Lombok Timur", "Kab. Malang", "32.12"]
# The worker is stopped when its resident memory passes this (MiB): "memory bounded" is checked,
# not assumed. GUGUS_BENCH_IMPORT_MEM_MIB overrides it.
MEMORY_BUDGET_MIB = 1024


def _victim_cells():
    from gugus.reference.models import Code

    channel = Code.objects.get(key="identification_channel.hotline").label_id
    sexes = [Code.objects.get(key="sex.female").label_id, Code.objects.get(key="sex.male").label_id]
    form = Code.objects.get(key="exploitation.forced_labour_or_services").label_id

    def row(i: int, prefix: str) -> list:
        return [
            f"{prefix}-{i:07d}",
            f"{1 + i % 28}/{1 + i % 12}/2025",
            channel,
            f"Korban Sintetis {i % 997} {i // 997}",
            sexes[i % 2],
            16 + i % 40,
            REGIONS[i % len(REGIONS)],
            form,
        ]

    return row


def victims_xlsx(rows: int, prefix: str) -> bytes:
    """A victims sheet with `rows` data rows (xlsxwriter, constant memory: inline strings, the
    slowest kind of sheet for a reader)."""
    import tempfile

    import xlsxwriter

    row = _victim_cells()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        wb = xlsxwriter.Workbook(tmp.name, {"constant_memory": True})
        ws = wb.add_worksheet("Korban")
        ws.write_row(0, 0, HEADER)
        for i in range(rows):
            ws.write_row(i + 1, 0, row(i, prefix))
        wb.close()
        return open(tmp.name, "rb").read()


def victims_csv(rows: int, prefix: str) -> bytes:
    """The same sheet as CSV (semicolons, UTF-8 with BOM, as Excel saves it)."""
    import csv

    row = _victim_cells()
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(HEADER)
    for i in range(rows):
        w.writerow(row(i, prefix))
    return out.getvalue().encode("utf-8-sig")


def _memory_budget() -> float:
    import os

    return float(os.environ.get("GUGUS_BENCH_IMPORT_MEM_MIB") or MEMORY_BUDGET_MIB)


def _run_import(b, fmt: str, budget_s: float) -> dict:
    """Upload here; validation and commit in a child process (as the background worker runs them),
    stopped when it passes `budget_s` seconds or the memory budget. Returns its figures."""
    import json
    import os
    import subprocess
    import sys

    from django.db import connection

    from gugus.exchange import services
    from gugus.exchange.models import ImportBatch, ImportRecord

    from .env import peak_rss_mib as child_peak
    from .env import rss_mib as child_rss

    user = b.world.users["case_worker"]
    prefix = f"BENCH{fmt.upper()}{int(time.time())}"
    data = (victims_xlsx if fmt == "xlsx" else victims_csv)(b.import_rows, prefix)
    t0 = time.perf_counter()
    batch = services.import_upload(
        actor=user, kind="victims", fileobj=io.BytesIO(data), filename=f"bench.{fmt}", size=len(data)
    )
    upload_s = time.perf_counter() - t0
    connection.close()  # the child writes; SQLite allows one writer at a time
    # As in production: follow-up work (the indicator refresh each new case announces) is queued for
    # the background worker, not run inside the import.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gugus.settings",
        "GUGUS_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.exchange_bench", str(batch.pk), str(user.pk)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.perf_counter() + budget_s
    memory_budget = _memory_budget()
    peak = 0.0
    stopped = ""
    while child.poll() is None:
        peak = max(peak, child_peak(child.pid), child_rss(child.pid))
        if peak > memory_budget:
            stopped = f"memory over {memory_budget:.0f} MiB"
        elif time.perf_counter() > deadline:
            stopped = f"time budget of {budget_s:.0f} s"
        if stopped:
            child.kill()
            break
        time.sleep(0.25)
    out, err = child.communicate(timeout=60)
    seconds = time.perf_counter() - t0
    phases: dict = {}
    for line in out.splitlines():
        if line.startswith("{"):
            phases.update(json.loads(line))
    peak = max(peak, phases.pop("peak_rss_mib", 0.0))
    batch = ImportBatch.objects.get(pk=batch.pk)
    committed = ImportRecord.objects.filter(batch=batch).count()
    fig = {
        "seconds": round(seconds, 1),
        "upload_s": round(upload_s, 2),
        **phases,
        "rows": b.import_rows,
        "rows_valid": batch.rows_valid,
        "rows_invalid": batch.rows_invalid,
        "rows_committed": committed,
        "status": batch.status,
        "file_mib": round(len(data) / 2**20, 1),
        "worker_peak_rss_mib": round(peak, 1),
        "memory_budget_mib": memory_budget,
        "finished": not stopped and child.returncode == 0,
        "rows_per_s": round(committed / max(0.001, seconds), 1),
    }
    if phases.get("validate_s"):
        fig["validate_rows_per_s"] = round(b.import_rows / phases["validate_s"], 1)
    if phases.get("commit_s"):
        fig["commit_rows_per_s"] = round(committed / phases["commit_s"], 1)
    if stopped:
        fig["stopped"] = stopped
        rate = committed / max(1.0, seconds - phases.get("validate_s", 0) - upload_s)
        fig["projected_seconds"] = round(seconds + (b.import_rows - committed) / max(rate, 0.001), 0)
    elif child.returncode != 0:
        fig["error"] = (err.strip().splitlines() or ["?"])[-1][:300]
    b.dataset["added_victims"] = b.dataset.get("added_victims", 0) + committed
    return fig


def _phases_note(fmt: str, fig: dict) -> str:
    """One line per format: where the time went (wall and this worker's CPU)."""
    return (
        f"{fmt}: {fig['seconds']} s, {fig['rows_per_s']} rows/s; validation {fig.get('validate_s', '?')} s "
        f"({fig.get('validate_cpu_s', '?')} s CPU), commit {fig.get('commit_s', '?')} s "
        f"({fig.get('commit_cpu_s', '?')} s CPU); worker peak {fig['worker_peak_rss_mib']} MiB"
    )


def bench_import(b, target: Target) -> Result:
    """The victims sheet as XLSX, then as CSV, each end to end in a bounded worker process.
    The headline figure is the slower of the two."""
    title = f"Spreadsheet import of a {b.import_rows:,}-row sheet (XLSX and CSV), end to end"
    try:
        from gugus.exchange import services
    except ImportError as exc:
        return Result.missing("import-100k", title, target, f"gugus/exchange has no import service yet ({exc})")
    needed = ("import_upload", "import_validate_run", "import_commit", "import_commit_run")
    missing = [n for n in needed if not hasattr(services, n)]
    if missing:
        return Result.missing("import-100k", title, target, "gugus.exchange.services lacks " + ", ".join(missing))
    res = Result("import-100k", title, target)
    runs = {}
    for fmt in ("xlsx", "csv"):
        runs[fmt] = _run_import(b, fmt, b.import_budget_s)
    worst = max(runs.values(), key=lambda f: f["seconds"])
    res.figures = {
        "seconds": worst["seconds"],
        "rows": b.import_rows,
        "rows_committed": min(f["rows_committed"] for f in runs.values()),
        "worker_peak_rss_mib": max(f["worker_peak_rss_mib"] for f in runs.values()),
        "rows_per_s": min(f["rows_per_s"] for f in runs.values()),
        **{f"{fmt}_{k}": v for fmt, fig in runs.items() for k, v in fig.items()},
    }
    errors = [f"{fmt}: {fig['error']}" for fmt, fig in runs.items() if fig.get("error")]
    if errors:
        res.status = "error"
        res.reason = "the import worker failed: " + "; ".join(errors)
        return res
    for fmt, fig in runs.items():
        if fig.get("stopped"):
            res.notes.append(_phases_note(fmt, fig))
            res.notes.append(
                f"{fmt}: stopped ({fig['stopped']}) with {fig['rows_committed']:,} of {b.import_rows:,} rows "
                f"committed; about {fig['projected_seconds']:,.0f} s for the whole sheet"
            )
    if any(f.get("stopped") for f in runs.values()):
        res.status = "fail"
        return res
    if b.import_rows < 100_000:
        res.notes.append(f"a sheet of {b.import_rows:,} rows; the target is for 100,000")
    for fmt, fig in runs.items():
        if fig["rows_committed"] != b.import_rows:
            res.notes.append(
                f"{fmt}: only {fig['rows_committed']} of {b.import_rows} rows were committed "
                f"({fig['rows_invalid']} invalid)"
            )
    res.notes.append(
        "peak worker memory {:.0f} MiB (budget {:.0f} MiB); {:.0f} rows/s end to end (slower format)".format(
            res.figures["worker_peak_rss_mib"], _memory_budget(), res.figures["rows_per_s"]
        )
    )
    for fmt, fig in runs.items():
        res.notes.append(_phases_note(fmt, fig))
    complete = all(f["rows_committed"] == b.import_rows for f in runs.values()) and b.import_rows >= 100_000
    return res.judge(complete=complete)


def _profiler(phase: str):
    """GUGUS_BENCH_IMPORT_PROFILE=<dir>: profile a phase of the worker (cProfile, <dir>/<phase>.prof)
    and count its SQL statements by kind (<dir>/<phase>.sql.txt). Returns the function that stops it."""
    import os

    out = os.environ.get("GUGUS_BENCH_IMPORT_PROFILE")
    if not out:
        return lambda: None
    import collections
    import cProfile
    import re

    from django.db import connection

    counts: collections.Counter = collections.Counter()
    seconds: collections.Counter = collections.Counter()

    def count(execute, sql, params, many, context):
        key = re.sub(r"\s+", " ", sql)[:160]
        counts[key] += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds[key] += time.perf_counter() - t

    hook = connection.execute_wrapper(count)
    hook.__enter__()
    prof = cProfile.Profile()
    prof.enable()

    def stop() -> None:
        prof.disable()
        hook.__exit__(None, None, None)
        os.makedirs(out, exist_ok=True)
        prof.dump_stats(os.path.join(out, f"{phase}.prof"))
        with open(os.path.join(out, f"{phase}.sql.txt"), "w") as f:
            for sql, t in seconds.most_common():
                f.write(f"{counts[sql]:8d} {t:8.3f}s  {sql}\n")

    return stop


def _child(batch_id: str, user_id: int) -> None:
    """The background part of an import: validate every row, then commit the valid ones."""
    import json
    import sys

    import django

    django.setup()
    from gugus.accounts.models import User
    from gugus.exchange import services
    from gugus.exchange.models import CommitMode, ImportStatus

    from .env import peak_rss_mib

    prof = _profiler("validate")
    t = time.perf_counter()
    c = time.process_time()
    batch = services.import_validate_run(batch_id)
    prof()
    print(
        json.dumps(
            {"validate_s": round(time.perf_counter() - t, 2), "validate_cpu_s": round(time.process_time() - c, 2)}
        ),
        flush=True,
    )
    if batch.status != ImportStatus.VALIDATED:
        print(f"validation ended as {batch.status}: {batch.message[:200]}", file=sys.stderr)
        sys.exit(2)
    prof = _profiler("commit")
    t = time.perf_counter()
    c = time.process_time()
    user = User.objects.get(pk=user_id)
    batch = services.import_commit(actor=user, batch=batch, mode=CommitMode.VALID_ONLY)
    services.import_commit_run(batch.pk, user.pk, CommitMode.VALID_ONLY)
    prof()
    print(
        json.dumps(
            {
                "commit_s": round(time.perf_counter() - t, 2),
                "commit_cpu_s": round(time.process_time() - c, 2),
                "peak_rss_mib": peak_rss_mib(),
            }
        ),
        flush=True,
    )


def bench_export(b, target: Target) -> Result:
    title = "Export of the national case list (1,000,000 rows at full scale) as CSV, streamed"
    try:
        from gugus.exchange import exports  # noqa: F401
    except ImportError as exc:
        return Result.missing("export-1m", title, target, f"gugus/exchange has no exports yet ({exc})")
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("exchange:export_download", kwargs={"kind": "cases", "fmt": "csv"})
    except NoReverseMatch:
        return Result.missing("export-1m", title, target, "no export page exchange:export_download yet")
    client = b.world.session("national")
    gc.collect()
    before = rss_mib()
    peak = before
    t = time.perf_counter()
    r = client.get(url)
    if r.status_code != 200:
        return Result.missing("export-1m", title, target, f"{url} answered {r.status_code}")
    rows = size = 0
    first_byte = None
    for i, chunk in enumerate(r.streaming_content if r.streaming else [r.content]):
        if first_byte is None:
            first_byte = time.perf_counter() - t
        size += len(chunk)
        rows += chunk.count(b"\n")
        if i % 20 == 0:
            peak = max(peak, rss_mib())
    seconds = time.perf_counter() - t
    peak = max(peak, rss_mib())
    res = Result("export-1m", title, target)
    res.figures = {
        "growth_mib": round(peak - before, 1),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak, 1),
        "rows": max(0, rows - 1),
        "mib": round(size / 2**20, 1),
        "seconds": round(seconds, 1),
        "first_byte_s": round(first_byte or 0, 2),
        "streamed": bool(r.streaming),
        "url": url,
    }
    if not r.streaming:
        res.notes.append("the response was not streamed (StreamingHttpResponse expected)")
    if rows - 1 < 1_000_000:
        res.notes.append(f"{max(0, rows - 1):,} rows exported; the target is for 1,000,000")
    return res.judge(complete=bool(r.streaming) and rows - 1 >= 1_000_000)


if __name__ == "__main__":
    import sys

    _child(sys.argv[1], int(sys.argv[2]))
