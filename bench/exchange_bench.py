"""Import of a 100,000-row sheet and export of 1,000,000 rows (issue 9), measured through
gugus/exchange's own functions and pages.

Import: an XLSX sheet of victims as a case worker fills it in (the importer's header labels,
written with xlsxwriter), taken end to end — upload, validation of every row, commit of the valid
rows — as the background tasks would run it, in this process. Memory is the peak resident size
during the run (VmHWM after resetting it).

Export: the national user's case list as CSV, streamed from /pertukaran/ekspor/cases.csv (the
page a user clicks), every chunk read and thrown away; resident memory sampled while streaming.
"""

from __future__ import annotations

import gc
import io
import time

from .env import rss_mib
from .measure import Result, Target


def victims_xlsx(rows: int, prefix: str) -> bytes:
    """A victims sheet with `rows` data rows (xlsxwriter, constant memory)."""
    import tempfile

    import xlsxwriter

    from gugus.reference.models import Code

    channel = Code.objects.get(key="identification_channel.hotline").label_id
    sexes = [Code.objects.get(key="sex.female").label_id, Code.objects.get(key="sex.male").label_id]
    form = Code.objects.get(key="exploitation.forced_labour_or_services").label_id
    regions = ["Kab. Indramayu", "Kabupaten Cirebon", "Kota Kupang", "Kab. Lombok Timur", "Kab. Malang", "32.12"]
    header = [
        "ID Eksternal",
        "Tanggal identifikasi",
        "Jalur identifikasi",
        "Nama lengkap",
        "Jenis kelamin",
        "Perkiraan usia",
        "Wilayah asal",
        "Bentuk eksploitasi",
    ]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        wb = xlsxwriter.Workbook(tmp.name, {"constant_memory": True})
        ws = wb.add_worksheet("Korban")
        ws.write_row(0, 0, header)
        for i in range(rows):
            ws.write_row(
                i + 1,
                0,
                [
                    f"{prefix}-{i:07d}",
                    f"{1 + i % 28}/{1 + i % 12}/2025",
                    channel,
                    f"Korban Sintetis {i % 997} {i // 997}",
                    sexes[i % 2],
                    16 + i % 40,
                    regions[i % len(regions)],
                    form,
                ],
            )
        wb.close()
        return open(tmp.name, "rb").read()


def bench_import(b, target: Target) -> Result:
    """Upload here; validation and commit in a child process (as the background worker runs them),
    bounded by `b.import_budget_s`: past it the child is stopped and the result says how far it
    got and at what rate."""
    title = f"Spreadsheet import of a {b.import_rows:,}-row sheet, end to end"
    try:
        from gugus.exchange import services
        from gugus.exchange.models import ImportBatch
    except ImportError as exc:
        return Result.missing("import-100k", title, target, f"gugus/exchange has no import service yet ({exc})")
    needed = ("import_upload", "import_validate_run", "import_commit", "import_commit_run")
    missing = [n for n in needed if not hasattr(services, n)]
    if missing:
        return Result.missing("import-100k", title, target, "gugus.exchange.services lacks " + ", ".join(missing))
    import json
    import os
    import subprocess
    import sys

    from django.db import connection

    user = b.world.users["case_worker"]
    prefix = f"BENCH{int(time.time())}"
    data = victims_xlsx(b.import_rows, prefix)
    t0 = time.perf_counter()
    batch = services.import_upload(
        actor=user, kind="victims", fileobj=io.BytesIO(data), filename="bench.xlsx", size=len(data)
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
    deadline = time.perf_counter() + b.import_budget_s
    peak = 0.0
    from .env import peak_rss_mib as child_peak

    while child.poll() is None and time.perf_counter() < deadline:
        peak = max(peak, child_peak(child.pid))
        time.sleep(0.5)
    finished = child.poll() is not None
    if not finished:
        child.kill()
    out, err = child.communicate(timeout=60)
    seconds = time.perf_counter() - t0
    phases = {"upload_s": round(upload_s, 2)}
    for line in out.splitlines():
        if line.startswith("{"):
            phases.update(json.loads(line))
    batch = ImportBatch.objects.get(pk=batch.pk)
    committed = batch.rows_committed or 0
    if not finished or not committed:
        from gugus.exchange.models import ImportRecord

        committed = ImportRecord.objects.filter(batch=batch).count()
    res = Result("import-100k", title, target)
    res.figures = {
        "seconds": round(seconds, 1),
        **phases,
        "rows": b.import_rows,
        "rows_valid": batch.rows_valid,
        "rows_invalid": batch.rows_invalid,
        "rows_committed": committed,
        "status": batch.status,
        "file_mib": round(len(data) / 2**20, 1),
        "worker_peak_rss_mib": round(peak, 1),
        "finished": finished,
        "committed_rows_per_s": round(committed / max(0.001, phases.get("commit_s") or seconds), 1),
    }
    b.dataset["added_victims"] = b.dataset.get("added_victims", 0) + committed
    if not finished:
        rate = committed / max(1.0, seconds - phases.get("validate_s", 0) - upload_s)
        res.figures["projected_seconds"] = round(seconds + (b.import_rows - committed) / max(rate, 0.001), 0)
        res.status = "fail"
        res.notes.append(
            f"stopped after the budget of {b.import_budget_s:.0f} s with {committed:,} of "
            f"{b.import_rows:,} rows committed ({rate:.0f} rows/s; about "
            f"{res.figures['projected_seconds']:,.0f} s for the whole sheet)"
        )
        return res
    if child.returncode != 0:
        res.status = "error"
        res.reason = "the import worker failed: " + err.strip().splitlines()[-1][:300] if err.strip() else "?"
        return res
    complete = committed == b.import_rows >= 100_000
    if b.import_rows < 100_000:
        res.notes.append(f"a sheet of {b.import_rows:,} rows; the target is for 100,000")
    elif committed != b.import_rows:
        res.notes.append(
            f"only {committed} of {b.import_rows} rows were committed "
            f"({batch.rows_invalid} invalid, {batch.rows_failed} failed)"
        )
    return res.judge(complete=complete)


def _child(batch_id: str, user_id: int) -> None:
    """The background part of an import: validate every row, then commit the valid ones."""
    import json
    import sys

    import django

    django.setup()
    from gugus.accounts.models import User
    from gugus.exchange import services
    from gugus.exchange.models import CommitMode, ImportStatus

    t = time.perf_counter()
    batch = services.import_validate_run(batch_id)
    print(json.dumps({"validate_s": round(time.perf_counter() - t, 2)}), flush=True)
    if batch.status != ImportStatus.VALIDATED:
        print(f"validation ended as {batch.status}: {batch.message[:200]}", file=sys.stderr)
        sys.exit(2)
    t = time.perf_counter()
    user = User.objects.get(pk=user_id)
    batch = services.import_commit(actor=user, batch=batch, mode=CommitMode.VALID_ONLY)
    services.import_commit_run(batch.pk, user.pk, CommitMode.VALID_ONLY)
    print(json.dumps({"commit_s": round(time.perf_counter() - t, 2)}), flush=True)


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
