"""Render the latest benchmark and load-test results as the README's Performance table.

python -m bench.report            # writes bench/results/README-performance.md and prints it
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
OUT = RESULTS / "README-performance.md"
ORDER = [
    "cases-list",
    "cases-search",
    "registration",
    "paging-memory",
    "case-file",
    "monitoring-rebuild",
    "monitoring-incremental",
    "dashboard",
    "import-100k",
    "export-1m",
]
STATUS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "partial": "◐ partial",
    "info": "ℹ️ info",
    "not_measured": "— not measured",
    "error": "⚠️ error",
}


def _load() -> tuple[dict[tuple[str, str], dict], dict | None]:
    results = {}
    loadtest = None
    for path in sorted(RESULTS.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if path.name == "loadtest.json":
            loadtest = data
            continue
        db = (data.get("database") or {}).get("engine") or path.name.split("-", 1)[0]
        results[(data.get("benchmark", path.stem), db)] = data
    return results, loadtest


def _figure(data: dict) -> str:
    target = data.get("target") or {}
    figs = data.get("figures") or {}
    metric = target.get("metric")
    if data.get("status") == "not_measured" or metric not in figs:
        if data.get("status") == "info" and "p95_ms" in figs:
            return f"p95 {figs['p95_ms']} ms"
        return "—"
    value = figs[metric]
    unit = target.get("unit", "")
    name = {"p95_ms": "p95", "p95_s": "p95", "growth_mib": "growth", "seconds": ""}.get(metric, metric)
    text = f"{name} {value} {unit}".strip()
    if metric == "growth_mib" and "records_covered" in figs:
        text += f" over {figs['records_covered']:,} records"
    return text


def _why(data: dict) -> str:
    if data.get("status") in ("not_measured", "error"):
        return data.get("reason", "")
    notes = data.get("notes") or []
    extra = []
    figs = data.get("figures") or {}
    if "worst" in figs:
        extra.append(f"worst: {figs['worst']}")
    return "; ".join(extra + notes[:1])[:220]


def _scale(n) -> str:
    if not n:
        return "?"
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def render() -> str:
    results, loadtest = _load()
    sizes = {(d.get("dataset") or {}).get("victims") for d in results.values()}
    mixed = len(sizes) > 1
    lines = ["## Performance", ""]
    sample = next(iter(results.values()), None) or loadtest
    if sample:
        m = sample.get("machine", {})
        ds = sample.get("dataset") or {}
        lines.append(
            f"Measured on {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('ram_gib', '?')} GiB RAM, "
            f"{m.get('os', '?')}, Python {m.get('python', '?')}; commit `{str(sample.get('commit', '?'))[:10]}`"
            + (" (uncommitted changes)" if sample.get("dirty") else "")
            + "."
        )
        if mixed:
            lines.append("Synthetic national data sets of different sizes (shown per figure); see docs/performance.md.")
        elif ds.get("victims"):
            tables = ds.get("tables") or {}
            services = next((v for k, v in tables.items() if k.lower().endswith(("service", "servicerecord"))), None)
            lines.append(
                f"Synthetic national data set: {ds['victims']:,} victims"
                + (f", {services:,} services" if services else " (no service records: the model did not exist yet)")
                + f", seed {ds.get('seed')} (`make bench`; details in docs/performance.md)."
            )
        lines.append("")
    dbs = sorted({db for _, db in results})
    header = "| Benchmark | Target | " + " | ".join(f"{db}" for db in dbs) + " | Notes |"
    lines += [header, "|" + "---|" * (len(dbs) + 3)]
    names = [n for n in ORDER if any((n, db) in results for db in dbs)]
    names += sorted({n for n, _ in results} - set(names))
    for name in names:
        any_data = next(results[(name, db)] for db in dbs if (name, db) in results)
        target = (any_data.get("target") or {}).get("text", "—")
        cells, notes = [], []
        for db in dbs:
            data = results.get((name, db))
            if data is None:
                cells.append("not run")
                continue
            cell = f"{STATUS.get(data.get('status'), data.get('status'))} {_figure(data)}".strip()
            if mixed:
                cell += f" ({_scale((data.get('dataset') or {}).get('victims'))} victims)"
            cells.append(cell)
            why = _why(data)
            if why:
                notes.append(f"{db}: {why}" if len(dbs) > 1 else why)
        title = any_data.get("title", name)
        lines.append(f"| {title} | {target} | " + " | ".join(cells) + f" | {' / '.join(notes)} |")
    if loadtest:
        lines += ["", "### Load test (`make loadtest`)", ""]
        f = loadtest.get("figures", {})
        if loadtest.get("status") == "not_measured":
            lines.append(f"Not measured: {loadtest.get('reason', '')}")
        else:
            lines += [
                "| Users | Duration | Requests | Throughput | p50 | p95 | p99 | Errors | Verdict |",
                "|---|---|---|---|---|---|---|---|---|",
                f"| {f.get('users')} | {f.get('duration_s')} s | {f.get('requests'):,} | {f.get('rps')} req/s | "
                f"{f.get('p50_ms')} ms | {f.get('p95_ms')} ms | {f.get('p99_ms')} ms | {f.get('errors')} | "
                f"{STATUS.get(loadtest.get('status'), loadtest.get('status'))} |",
                "",
                f"Target: {loadtest.get('target_text', 'no errors, p95 ≤ 300 ms, ≥ 200 req/s on 2 cores')}. "
                f"Server: {loadtest.get('server', {}).get('description', '?')}; "
                f"database {loadtest.get('database', {}).get('engine', '?')} {loadtest.get('database', {}).get('version', '')}; "
                f"data set {loadtest.get('dataset', {}).get('victims', '?'):,} victims.",
            ]
    lines += [
        "",
        "Figures not measured are shown as such; nothing here is estimated. Raw results: `bench/results/*.json`.",
        "",
    ]
    return "\n".join(lines)


def write_report() -> Path:
    OUT.write_text(render())
    return OUT


if __name__ == "__main__":
    path = write_report()
    sys.stdout.write(path.read_text())
