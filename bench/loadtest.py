"""Load test against the server as it runs in production (`make loadtest`).

    python -m bench.loadtest                    # make loadtest
    python -m bench.loadtest --users 50 --duration 60 --workers 3 --victims 100000
    LOADTEST_DATABASE_URL=postgres://user@host:5432/some_db python -m bench.loadtest

What it does
1. Generated production keys (kept in var/bench/loadtest-keys.json, mode 0600) and a synthetic data
   set encrypted with them (the same generator as `make bench`, cached in its own PostgreSQL
   database: LOADTEST_DATABASE_URL, else the server of a postgres DATABASE_URL with the database
   gugus_loadtest, else postgres://postgres@127.0.0.1:5432/gugus_loadtest). Never the `make bench`
   database: its data set is encrypted with other keys and would be rebuilt.
2. Starts gunicorn on a random port of 127.0.0.1 with GUGUS_ENV=production, DEBUG off,
   DJANGO_ALLOWED_HOSTS=127.0.0.1, collected static files, persistent database connections;
   SECURE_SSL_REDIRECT is off (DJANGO_SECURE_SSL_REDIRECT=0) and every request carries
   `X-Forwarded-Proto: https`, as behind the TLS-terminating proxy of a real deployment.
3. N virtual users (threads with keep-alive connections; stdlib http.client), each one persona
   with a bearer token for the API and a verified session for the pages, run a realistic mix —
   case lists and searches, case files, dashboards, registrations with the duplicate check,
   service records, the referral inbox — for a bounded time after a short warm-up.
4. Writes throughput, p50/p95/p99, errors (by kind and status) to bench/results/loadtest.json.

Target (issue 10): no errors, p95 ≤ 300 ms, at least 200 requests/s on 2 cores. The load
generator runs on the same machine and takes its share of those cores; the figures say so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CACHE = ROOT / "var" / "bench"
RESULT = Path(__file__).resolve().parent / "results" / "loadtest.json"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gugus_loadtest"
TARGET = {"errors": 0, "p95_ms": 300, "rps": 200, "text": "no errors, p95 ≤ 300 ms, ≥ 200 requests/s on 2 cores"}

# Personas of the virtual users (demo usernames) and their share of the users.
PERSONAS = [
    ("cw-3212", 6),
    ("cw-5371", 5),
    ("cw-3201", 4),
    ("cw-2171", 4),
    ("sv-3212", 2),
    ("sv-5371", 2),
    ("gt-3212", 2),
    ("gt-32", 2),
    ("gt-53", 1),
    ("gt-nasional", 1),
    ("eksekutif", 1),
]
# Request kinds and their weights in the mix.
MIX = [
    ("case_list", 22),
    ("case_search", 10),
    ("case_file", 20),
    ("case_file_api", 8),
    ("dashboard", 14),
    ("dashboard_api", 4),
    ("referral_inbox", 6),
    ("registration", 8),
    ("service_record", 8),
]


def loadtest_database_url() -> str:
    """The load test's own database (see the module docstring): its data set is encrypted with the
    load test's production keys, so sharing the `make bench` database would rebuild that one."""
    if os.environ.get("LOADTEST_DATABASE_URL"):
        return os.environ["LOADTEST_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0].split("?")[0] + "/gugus_loadtest"
    return DEFAULT_DB


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--duration", type=float, default=60.0, help="measured seconds (after the warm-up)")
    p.add_argument("--warmup", type=float, default=8.0)
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers (2–4 on 2 cores)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (gthread); 1 = sync workers")
    p.add_argument("--victims", type=int, default=100_000, help="size of the synthetic data set")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-write", action="store_true")
    return p.parse_args(argv)


def _log(msg: str) -> None:
    print(f"[loadtest] {msg}", flush=True)


def production_keys() -> dict:
    """Generated once, kept private in var/bench; never the development keys."""
    from cryptography.fernet import Fernet

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "loadtest-keys.json"
    if path.exists():
        return json.loads(path.read_text())
    keys = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "GUGUS_FIELD_KEYS": Fernet.generate_key().decode(),
        "GUGUS_HASH_KEY": secrets.token_urlsafe(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict, *, what: str, capture: bool = False) -> str:
    r = subprocess.run(cmd, env=env, cwd=ROOT, text=True, capture_output=capture)
    if r.returncode != 0:
        raise SystemExit(
            f"{what} failed (exit {r.returncode}):\n{(r.stdout or '')[-3000:]}\n{(r.stderr or '')[-3000:]}"
        )
    return r.stdout if capture else ""


PREPARE = r"""
import json, os, random, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice
from gugus.accounts.models import User
from gugus.accounts.services import token_create
from gugus.cases.selectors import cases_visible_to
import time
names = json.loads(sys.argv[1])
rng = random.Random(7)
out = {}
for username in names:
    user = User.objects.get(username=username)
    _, token = token_create(actor=user, user=user, name="loadtest")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="loadtest", confirmed=True)
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "gugus.accounts.backends.GugusModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s["otp_device_id"] = device.persistent_id
    s["last_seen"] = int(time.time()) + 3600
    s.create()
    qs = cases_visible_to(user).order_by("pk").values_list("pk", "case_number")
    total = qs.count()
    sample = [qs[rng.randrange(total)] for _ in range(min(60, total))] if total else []
    out[username] = {"token": token, "session": s.session_key, "cases": [[str(a), b] for a, b in sample],
                     "total": total, "region": user.memberships.first().region_id,
                     "org": str(user.memberships.first().organisation_id)}
print(json.dumps(out))
"""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, int]] = []  # (kind, ms, status)
        self.errors: Counter = Counter()
        self.error_examples: dict = {}

    def add(self, kind: str, ms: float, status: int, body: bytes = b"") -> None:
        with self.lock:
            self.samples.append((kind, ms, status))
            if status == 0 or status >= 400:
                key = f"{kind} {status}"
                self.errors[key] += 1
                self.error_examples.setdefault(key, body[:200].decode(errors="replace"))


class VirtualUser(threading.Thread):
    def __init__(
        self,
        n: int,
        persona: str,
        creds: dict,
        port: int,
        plan: dict,
        stats: Stats,
        start_at: float,
        measure_from: float,
        stop_at: float,
    ):
        super().__init__(daemon=True)
        self.n, self.persona, self.creds, self.port, self.plan = n, persona, creds, port, plan
        self.stats, self.start_at, self.measure_from, self.stop_at = stats, start_at, measure_from, stop_at
        self.rng = random.Random(1000 + n)
        self.conn = None
        self.registered: list[str] = []

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def request(self, method: str, path: str, *, api: bool, body: dict | None = None) -> tuple[int, bytes, float]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity",
            "User-Agent": "gugus-loadtest",
        }
        if api:
            headers["Authorization"] = f"Bearer {self.creds['token']}"
        else:
            headers["Cookie"] = f"sessionid={self.creds['session']}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t = time.perf_counter()
        try:
            conn = self._conn()
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            status = resp.status
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return 0, repr(exc).encode(), (time.perf_counter() - t) * 1000
        return status, payload, (time.perf_counter() - t) * 1000

    def pick_case(self):
        cases = self.creds["cases"]
        return self.rng.choice(cases) if cases else None

    def one(self, kind: str) -> tuple[str, bool, dict | None] | None:
        """(path, api, body) for a request of this kind, or None when this persona cannot make it."""
        case = self.pick_case()
        if kind == "case_list":
            return (
                ("/kasus/?page=" + str(1 + self.rng.randrange(5)), False, None)
                if self.rng.random() < 0.6
                else ("/api/v1/victims/?limit=20&offset=" + str(20 * self.rng.randrange(5)), True, None)
            )
        if kind == "case_search" and case:
            return f"/kasus/?q={case[1]}", False, None
        if kind == "case_file" and case:
            return f"/kasus/{case[0]}/", False, None
        if kind == "case_file_api" and case:
            return f"/api/v1/victims/{case[0]}", True, None
        if kind == "dashboard":
            return f"/monitoring/wilayah/{self.creds['region']}/", False, None
        if kind == "dashboard_api":
            return f"/api/v1/dashboards/{self.creds['region']}", True, None
        if kind == "referral_inbox":
            return "/rujukan/", False, None
        if kind == "registration" and self.plan.get("registration"):
            return self.plan["registration"](self), True, None
        if kind == "service_record" and case and self.plan.get("service_record"):
            return self.plan["service_record"](self, case), True, None
        return None

    def run(self) -> None:
        while time.monotonic() < self.start_at:
            time.sleep(0.01)
        allowed = self.plan["kinds"].get(self.persona, set())
        kinds = [k for k, _ in MIX if k in allowed]
        weights = [w for k, w in MIX if k in allowed]
        if not kinds:
            return
        while time.monotonic() < self.stop_at:
            kind = self.rng.choices(kinds, weights)[0]
            req = self.one(kind)
            if req is None:
                continue
            path, api, body = req
            if isinstance(path, tuple):  # (path, body) for writes
                path, body = path
            status, payload, ms = self.request("POST" if body is not None else "GET", path, api=api, body=body)
            measured = time.monotonic() >= self.measure_from
            if kind == "registration" and status == 409:
                # Possible duplicates were shown (a valid answer); the worker confirms a different person.
                if measured:
                    self.stats.add(kind + "_check", ms, 200, payload)
                status, payload, ms = self.request("POST", path, api=api, body={**body, "ignore_duplicates": True})
            if measured:
                self.stats.add(kind, ms, status, payload)
        if self.conn is not None:
            self.conn.close()


def registration_body(vu: VirtualUser) -> tuple[str, dict]:
    rng = vu.rng
    today = dt.date.today()
    return "/api/v1/victims/", {
        "sex": rng.choice(["female", "male"]),
        "identification_date": (today - dt.timedelta(days=rng.randrange(30))).isoformat(),
        "identification_channel": "hotline",
        "full_name": f"{rng.choice(['Siti', 'Dewi', 'Yohana', 'Maria', 'Ani', 'Ahmad'])} "
        f"{rng.choice(['Aminah', 'Lestari', 'Tefa', 'Bria', 'Suryani'])}",
        "estimated_age": 17 + rng.randrange(30),
        "domicile_region": vu.creds["region"] if vu.creds["region"].count(".") == 1 else "32.12",
        "exploitation_forms": ["forced_labour_or_services"],
        "scope": "transnational",
        "destination_country": "MY",
    }


def service_body(vu: VirtualUser, case) -> tuple[str, dict]:
    today = dt.date.today().isoformat()
    return f"/api/v1/cases/{case[0]}/services", {
        "provider_org": vu.creds["org"],
        "service_type": vu.rng.choice(["health_physical", "health_psychological", "case_management", "legal_aid"]),
        "status": "completed",
        "requested_on": today,
        "started_on": today,
        "completed_on": today,
        "cost": "150000.00",
        "funding_source": "apbd_kabkota",
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    url = loadtest_database_url()
    if not url.startswith("postgres"):
        raise SystemExit(
            "The load test runs against PostgreSQL: set LOADTEST_DATABASE_URL=postgres://… (a database used "
            "only for the load test; it is created if missing)."
        )
    from bench.__main__ import _ensure_pg_database

    _ensure_pg_database(url)
    keys = production_keys()
    var_dir = CACHE / "loadtest-var"
    var_dir.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DJANGO_DEBUG")}
    base_env.update({"DATABASE_URL": url, "GUGUS_VAR_DIR": str(var_dir), **keys, "PYTHONPATH": str(ROOT)})

    _log(f"data set: {args.victims:,} victims in {url.rsplit('/', 1)[1]} (generated once, then reused)")
    run(
        [sys.executable, "-m", "bench", "--generate-only", "--victims", str(args.victims), "--seed", str(args.seed)],
        base_env,
        what="data set generation",
    )
    prod = {
        **base_env,
        "GUGUS_ENV": "production",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DB_CONN_MAX_AGE": "600",
        "GUGUS_LOG_LEVEL": "WARNING",
        "GUGUS_AXES_ENABLED": "1",
    }
    run([str(VENV_BIN / "gugus"), "collectstatic", "--noinput", "-v", "0"], prod, what="collectstatic")
    run([str(VENV_BIN / "gugus"), "check", "--deploy", "--fail-level", "ERROR"], prod, what="check --deploy")
    names = [p for p, _ in PERSONAS]
    creds = json.loads(
        run(
            [sys.executable, "-c", PREPARE, json.dumps(names)],
            {**prod, "DJANGO_SETTINGS_MODULE": "gugus.settings"},
            what="tokens and sessions",
            capture=True,
        )
        .strip()
        .splitlines()[-1]
    )

    port = free_port()
    worker_class = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "gugus.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        *worker_class,
        "--backlog",
        "512",
        "--timeout",
        "60",
        "--keep-alive",
        "5",
        "--access-logfile",
        "-" if os.environ.get("LOADTEST_ACCESS_LOG") else "/dev/null",
        "--log-level",
        "warning",
    ]
    _log("starting: " + " ".join(cmd[1:]))
    server = subprocess.Popen(cmd, env=prod, cwd=ROOT, start_new_session=True)
    try:
        _wait_ready(port)
        plan = _preflight(port, creds)
        result = _drive(args, port, creds, plan)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    result["server"] = {
        "description": f"gunicorn {_gunicorn_version()}, {args.workers} workers"
        + (f" × {args.threads} threads (gthread)" if args.threads > 1 else " (sync)")
        + ", GUGUS_ENV=production, persistent DB connections",
        "command": " ".join(cmd[1:]),
    }
    _finish(result, args, url)
    return 0 if result["status"] == "pass" else 1


def _gunicorn_version() -> str:
    try:
        import gunicorn

        return gunicorn.__version__
    except ImportError:
        return "?"


def _wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https"})
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _preflight(port: int, creds: dict) -> dict:
    """Try each kind of request once per persona. A kind a persona may not do (4xx: its role has no
    such permission, or the harness cannot form the request) leaves that persona's mix, named; a
    server error stays in (it is a finding)."""
    plan = {"kinds": {}, "excluded": {}, "registration": registration_body, "service_record": service_body}
    stats = Stats()
    for persona, _ in PERSONAS:
        plan["kinds"][persona] = set()
        vu = VirtualUser(0, persona, creds[persona], port, plan, stats, 0, 0, 0)
        for kind, _ in MIX:
            req = vu.one(kind)
            if req is None:
                plan["excluded"][f"{persona} {kind}"] = "no record in scope"
                continue
            path, api, body = req
            if isinstance(path, tuple):
                path, body = path
            status, payload, _ = vu.request("POST" if body is not None else "GET", path, api=api, body=body)
            if kind == "registration" and status == 409:
                status, payload, _ = vu.request("POST", path, api=api, body={**body, "ignore_duplicates": True})
            if 400 <= status < 500:
                plan["excluded"][f"{persona} {kind}"] = f"{status} on {path}: {payload[:120].decode(errors='replace')}"
            else:
                plan["kinds"][persona].add(kind)
    for key, why in plan["excluded"].items():
        _log(f"not in the mix: {key}: {why[:140]}")
    return plan


def _drive(args, port: int, creds: dict, plan: dict) -> dict:
    from bench.env import loadavg

    loadavg_before = loadavg()  # other work on the machine: "machine" has the load at the end
    stats = Stats()
    personas = [p for p, w in PERSONAS for _ in range(w)]
    now = time.monotonic()
    start_at = now + 1
    measure_from = start_at + args.warmup
    stop_at = measure_from + args.duration
    users = [
        VirtualUser(
            i,
            personas[i % len(personas)],
            creds[personas[i % len(personas)]],
            port,
            plan,
            stats,
            start_at,
            measure_from,
            stop_at,
        )
        for i in range(args.users)
    ]
    _log(f"{args.users} users, {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured")
    cpu0 = os.times()
    for u in users:
        u.start()
    for u in users:
        u.join(timeout=args.warmup + args.duration + 60)
    cpu1 = os.times()
    from bench.measure import percentile

    ms = [s[1] for s in stats.samples]
    errors = sum(stats.errors.values())
    by_kind = defaultdict(list)
    for kind, t, _ in stats.samples:
        by_kind[kind].append(t)
    figures = {
        "users": args.users,
        "duration_s": args.duration,
        "requests": len(ms),
        "rps": round(len(ms) / args.duration, 1) if ms else 0,
        "p50_ms": round(percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "p99_ms": round(percentile(ms, 99), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "errors": errors,
        "error_rate": round(errors / len(ms), 4) if ms else None,
        "load_generator_cpu_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 1),
    }
    per_kind = {
        k: {
            "requests": len(v),
            "p50_ms": round(percentile(v, 50), 1),
            "p95_ms": round(percentile(v, 95), 1),
            "p99_ms": round(percentile(v, 99), 1),
        }
        for k, v in sorted(by_kind.items())
    }
    ok = (
        bool(ms)
        and errors == TARGET["errors"]
        and figures["p95_ms"] <= TARGET["p95_ms"]
        and figures["rps"] >= TARGET["rps"]
    )
    return {
        "figures": figures,
        "per_kind": per_kind,
        "errors": dict(stats.errors),
        "error_examples": stats.error_examples,
        "excluded_from_mix": plan["excluded"],
        "status": "pass" if ok else "fail",
        "mix": dict(MIX),
        "_loadavg_before": loadavg_before,
    }


def _finish(result: dict, args, url: str) -> None:
    from bench import env
    from bench.__main__ import setup_django

    os.environ["DATABASE_URL"] = url
    setup_django()
    from bench.dataset import read_marker

    marker = read_marker() or {}
    result.update(
        {
            "benchmark": "loadtest",
            "title": "Load test: production server, realistic mix",
            "target_text": TARGET["text"],
            "target": TARGET,
            "machine": env.machine(),
            "database": env.database(),
            **env.commit(),
            "dataset": {k: marker.get(k) for k in ("key", "victims", "services_target", "tables", "skipped")},
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "loadavg_before": result.pop("_loadavg_before", None),
            "note": "The load generator runs on the same machine as gunicorn and PostgreSQL and shares its cores.",
        }
    )
    f = result["figures"]
    _log(
        f"{f['requests']} requests in {f['duration_s']:.0f} s: {f['rps']} req/s, p50 {f['p50_ms']} ms, "
        f"p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms, errors {f['errors']} → {result['status'].upper()}"
    )
    for kind, v in result["per_kind"].items():
        _log(f"  {kind:16} {v['requests']:6} req  p95 {v['p95_ms']} ms")
    for key, n in result["errors"].items():
        _log(f"  error {key}: {n} (e.g. {result['error_examples'].get(key, '')[:120]!r})")
    if not args.no_write:
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
        from bench.report import write_report

        write_report()
        _log(f"written {RESULT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
