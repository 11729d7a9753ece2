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

from .env import peak_rss_mib, rss_mib
from .measure import Result, Target


def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def victims_xlsx(rows: int, prefix: str) -> bytes:
    """A victims sheet with `rows` data rows (xlsxwriter, constant memory)."""
    import tempfile

    import xlsxwriter

    from gugus.reference.models import Code

    channel = Code.objects.get(key="identification_channel.hotline").label_id
    sexes = [Code.objects.get(key="sex.female").label_id, Code.objects.get(key="sex.male").label_id]
    form = Code.objects.get(key="exploitation.forced_labour_or_services").label_id
    regions = ["Kab. Indramayu", "Kabupaten Cirebon", "Kota Kupang", "Kab. Lombok Timur", "Kab. Malang", "32.12"]
    header = ["ID Eksternal", "Tanggal identifikasi", "Jalur identifikasi", "Nama lengkap", "Jenis kelamin",
              "Perkiraan usia", "Wilayah asal", "Bentuk eksploitasi"]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        wb = xlsxwriter.Workbook(tmp.name, {"constant_memory": True})
        ws = wb.add_worksheet("Korban")
        ws.write_row(0, 0, header)
        for i in range(rows):
            ws.write_row(i + 1, 0, [f"{prefix}-{i:07d}", f"{1 + i % 28}/{1 + i % 12}/2025", channel,
                                    f"Korban Sintetis {i % 997} {i // 997}", sexes[i % 2], 16 + i % 40,
                                    regions[i % len(regions)], form])
        wb.close()
        return open(tmp.name, "rb").read()


def bench_import(b, target: Target) -> Result:
    title = f"Spreadsheet import of a {b.import_rows:,}-row sheet, end to end"
    try:
        from gugus.exchange import services
        from gugus.exchange.models import CommitMode, ImportStatus
    except ImportError as exc:
        return Result.missing("import-100k", title, target, f"gugus/exchange has no import service yet ({exc})")
    needed = ("import_upload", "import_validate_run", "import_commit", "import_commit_run")
    missing = [n for n in needed if not hasattr(services, n)]
    if missing:
        return Result.missing("import-100k", title, target, "gugus.exchange.services lacks " + ", ".join(missing))
    user = b.world.users["case_worker"]
    prefix = f"BENCH{int(time.time())}"
    t0 = time.perf_counter()
    data = victims_xlsx(b.import_rows, prefix)
    build_s = time.perf_counter() - t0
    gc.collect()
    _reset_peak_rss()
    before = rss_mib()
    phases = {}
    t = time.perf_counter()
    batch = services.import_upload(actor=user, kind="victims", fileobj=io.BytesIO(data), filename="bench.xlsx",
                                   size=len(data))
    phases["upload_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    batch = services.import_validate_run(batch.pk)
    phases["validate_s"] = round(time.perf_counter() - t, 2)
    res = Result("import-100k", title, target)
    if batch.status != ImportStatus.VALIDATED:
        res.status = "fail"
        res.reason = f"validation ended as '{batch.status}': {batch.message[:200]}"
        return res
    t = time.perf_counter()
    batch = services.import_commit(actor=user, batch=batch, mode=CommitMode.VALID_ONLY)
    batch = services.import_commit_run(batch.pk, user.pk, CommitMode.VALID_ONLY)
    phases["commit_s"] = round(time.perf_counter() - t, 2)
    total = sum(phases.values())
    res.figures = {
        "seconds": round(total, 1), **phases, "rows": b.import_rows, "rows_valid": batch.rows_valid,
        "rows_invalid": batch.rows_invalid, "rows_committed": batch.rows_committed, "status": batch.status,
        "file_mib": round(len(data) / 2**20, 1), "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak_rss_mib(), 1), "rss_growth_mib": round(peak_rss_mib() - before, 1),
        "sheet_build_s_not_counted": round(build_s, 1),
    }
    b.dataset.setdefault("added_victims", 0)
    b.dataset["added_victims"] += batch.rows_committed or 0
    complete = batch.rows_committed == b.import_rows >= 100_000
    if b.import_rows < 100_000:
        res.notes.append(f"a sheet of {b.import_rows:,} rows; the target is for 100,000")
    elif batch.rows_committed != b.import_rows:
        res.notes.append(f"only {batch.rows_committed} of {b.import_rows} rows were committed "
                         f"({batch.rows_invalid} invalid, {batch.rows_failed} failed)")
    return res.judge(complete=complete)


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
        "growth_mib": round(peak - before, 1), "rss_before_mib": round(before, 1), "rss_peak_mib": round(peak, 1),
        "rows": max(0, rows - 1), "mib": round(size / 2**20, 1), "seconds": round(seconds, 1),
        "first_byte_s": round(first_byte or 0, 2), "streamed": bool(r.streaming), "url": url,
    }
    if not r.streaming:
        res.notes.append("the response was not streamed (StreamingHttpResponse expected)")
    if rows - 1 < 1_000_000:
        res.notes.append(f"{max(0, rows - 1):,} rows exported; the target is for 1,000,000")
    return res.judge(complete=bool(r.streaming) and rows - 1 >= 1_000_000)
