"""Render the latest benchmark and load-test results as the README's Performance table.

python -m bench.report            # writes bench/results/README-performance.md and prints it
python -m bench.report --readme   # also puts it in README.md, between the performance markers
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


DB_ORDER = ["sqlite", "postgresql"]
DB_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _services(ds: dict):
    tables = ds.get("tables") or {}
    return next((v for k, v in tables.items() if k.lower().endswith(("service", "servicerecord"))), None)


def _run_line(db: str, runs: list[dict]) -> str:
    """Where one database's figures come from: engine, commit, when, how busy the machine was."""
    first = min(runs, key=lambda d: d.get("measured_at") or "")
    ds = first.get("dataset") or {}
    dbinfo = first.get("database") or {}
    commits = sorted({str(d.get("commit", "?"))[:10] for d in runs})
    dirty = any(d.get("dirty") for d in runs)
    load = (first.get("machine") or {}).get("loadavg_1_5_15")
    services = _services(ds)
    victims = ds.get("victims")
    return (
        f"- **{DB_LABEL.get(db, db)} {dbinfo.get('version', '')}**: commit `{', '.join(commits)}`"
        + (" (uncommitted changes)" if dirty else "")
        + f", measured {str(first.get('measured_at', '?')).replace('T', ' ')[:16]} UTC"
        + (f", load average {' / '.join(load)} (1/5/15 min) at the start" if load else "")
        + (f"; data set {victims:,} victims" + (f", {services:,} services" if services else "") if victims else "")
        + f", seed {ds.get('seed', '?')}."
    )


def _loadtest_cell(lt: dict) -> str:
    f = lt.get("figures") or {}
    if lt.get("status") == "not_measured":
        return "— not measured"
    return (
        f"{STATUS.get(lt.get('status'), lt.get('status'))} {f.get('rps')} req/s, p95 {f.get('p95_ms')} ms, "
        f"{f.get('errors')} errors"
    )


def render() -> str:
    results, loadtest = _load()
    sizes = {(d.get("dataset") or {}).get("victims") for d in results.values()}
    mixed = len(sizes) > 1
    lines = ["## Performance", ""]
    sample = next(iter(results.values()), None) or loadtest
    dbs = [db for db in DB_ORDER if any(d == db for _, d in results)]
    dbs += sorted({db for _, db in results} - set(dbs))
    if loadtest and "postgresql" not in dbs:
        dbs.append("postgresql")  # the load test always runs on PostgreSQL
    if sample:
        m = sample.get("machine", {})
        lines.append(
            f"Measured on {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('ram_gib', '?')} GiB RAM, "
            f"{m.get('os', '?')}, Python {m.get('python', '?')}. Synthetic national data set (`make bench`; "
            "details and how to run it in docs/performance.md):"
        )
        lines.append("")
        for db in dbs:
            runs = [d for (_, d2), d in results.items() if d2 == db]
            lines.append(_run_line(db, runs) if runs else f"- **{DB_LABEL.get(db, db)}**: not run yet.")
        lines.append("")
    header = "| Benchmark | Target | " + " | ".join(DB_LABEL.get(db, db) for db in dbs) + " | Notes |"
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
                notes.append(f"{DB_LABEL.get(db, db)}: {why}" if len(dbs) > 1 else why)
        title = any_data.get("title", name)
        lines.append(f"| {title} | {target} | " + " | ".join(cells) + f" | {' / '.join(notes)} |")
    if loadtest:
        cells = [_loadtest_cell(loadtest) if db == "postgresql" else "— (PostgreSQL only)" for db in dbs]
        ds = loadtest.get("dataset") or {}
        f = loadtest.get("figures") or {}
        lines.append(
            f"| Load test: {f.get('users', '?')} users, production server, realistic mix (`make loadtest`) | "
            f"{loadtest.get('target_text', 'no errors, p95 ≤ 300 ms, ≥ 200 req/s on 2 cores')} | "
            + " | ".join(cells)
            + f" | data set {(ds.get('victims') or 0):,} victims; details below |"
        )
    if loadtest:
        lines += ["", "### Load test (`make loadtest`)", ""]
        f = loadtest.get("figures", {})
        if loadtest.get("status") == "not_measured":
            lines.append(f"Not measured: {loadtest.get('reason', '')}")
        else:
            before = loadtest.get("loadavg_before")
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
                f"data set {(loadtest.get('dataset') or {}).get('victims') or 0:,} victims; "
                f"commit `{str(loadtest.get('commit', '?'))[:10]}`"
                + (" (uncommitted changes)" if loadtest.get("dirty") else "")
                + f", measured {str(loadtest.get('measured_at', '?')).replace('T', ' ')[:16]} UTC"
                + (f", load average {' / '.join(before)} before the run" if before else "")
                + f"; the load generator (same machine) used {f.get('load_generator_cpu_s', '?')} s of CPU.",
            ]
            per_kind = loadtest.get("per_kind") or {}
            if per_kind:
                lines += ["", "| Request kind | Requests | p50 | p95 | p99 |", "|---|---|---|---|---|"]
                for kind, v in per_kind.items():
                    lines.append(
                        f"| {kind} | {v['requests']:,} | {v['p50_ms']} ms | {v['p95_ms']} ms | {v['p99_ms']} ms |"
                    )
            if loadtest.get("errors"):
                lines += ["", "Errors: " + "; ".join(f"{k} × {n}" for k, n in loadtest["errors"].items()) + "."]
    lines += [
        "",
        "Figures not measured are shown as such; nothing here is estimated. Raw results: `bench/results/*.json`.",
        "",
    ]
    return "\n".join(lines)


def write_report() -> Path:
    OUT.write_text(render())
    return OUT


README = RESULTS.parent.parent / "README.md"
START, END = "<!-- performance:start -->", "<!-- performance:end -->"


def write_readme(text: str) -> bool:
    """Replace what stands between the performance markers of README.md (its own "## Performance"
    heading stays outside them). False when the markers are missing."""
    readme = README.read_text()
    if START not in readme or END not in readme:
        return False
    body = text.split("\n", 2)[2] if text.startswith("## Performance\n") else text
    head, rest = readme.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n{body.strip()}\n{END}{tail}")
    return True


if __name__ == "__main__":
    path = write_report()
    if "--readme" in sys.argv[1:] and not write_readme(path.read_text()):
        sys.exit(f"README.md has no {START} … {END} block")
    sys.stdout.write(path.read_text())
