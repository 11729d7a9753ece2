"""The benchmarks the issues ask for. Each returns a `Result`; one that cannot run yet (its app or
endpoint does not exist) returns `not_measured` with the reason, never a made-up figure.

Requests go through Django's test client in this process (the full middleware stack, no
network), so the figures are server time; the load test (`python -m bench.loadtest`) measures
the real server over HTTP.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import measure
from .env import peak_rss_mib, rss_mib
from .measure import MIN_SAMPLES, Result, Target, summarise_ms, time_calls
from .world import World, get_form_fields, search_form_method

BENCHMARKS: list[tuple[str, Callable]] = []


def benchmark(name: str):
    def deco(fn):
        BENCHMARKS.append((name, fn))
        return fn

    return deco


@dataclass
class Bench:
    world: World
    repeats: int = 30
    paging_budget_s: float = 300.0
    import_rows: int = 100_000
    import_budget_s: float = 900.0
    export_rows: int = 1_000_000
    seed: int = 1
    dataset: dict = field(default_factory=dict)

    @property
    def rng(self) -> random.Random:
        if not hasattr(self, "_rng"):
            self._rng = random.Random(self.seed + 7)
        return self._rng


LIST_PATHS = ("/api/v1/victims/", "/api/v1/cases/", "/api/v1/victims", "/api/v1/cases")
SEARCH_WORDS = {"q", "search", "query", "cari", "term", "kata"}


def _status_ok(code: int) -> bool:
    return 200 <= code < 300


def _measure_get(client, url: str, params: dict | None, repeats: int, method: str = "get") -> tuple[dict, int, int]:
    """Summary of `repeats` requests (GET, or POST for a search form), the number of non-2xx
    answers and the last status code."""
    statuses = []

    def call(_i):
        r = client.post(url, params or {}, follow=True) if method == "post" else client.get(url, params or {})
        if getattr(r, "streaming", False):
            for _ in r.streaming_content:
                pass
        statuses.append(r.status_code)
        return r.status_code

    t = time.perf_counter()
    call(-1)
    if time.perf_counter() - t > 2.0:  # a very slow variant is sampled fewer times (its p95 is its max)
        repeats = min(repeats, 5)
    durations, _ = time_calls(call, repeats, warmup=1)
    errors = sum(1 for s in statuses[2:] if not _status_ok(s))
    return summarise_ms(durations), errors, statuses[-1]


def _variant(
    label: str, persona: str, url: str, params: dict | None, bench: Bench, client, method: str = "get"
) -> dict:
    summary, errors, last = _measure_get(client, url, params, bench.repeats, method)
    if any(x in label for x in IDENTITY_LABELS) and params:
        params = dict.fromkeys(params, "…")  # synthetic, but identity values stay out of the results all the same
    return {
        "label": label,
        "persona": persona,
        "url": url,
        "params": params or {},
        "status": last,
        "errors": errors,
        **summary,
    }


def _headline(result: Result, variants: list[dict], metric: str = "p95_ms") -> Result:
    refused = [v for v in variants if v.get("n") and 400 <= v.get("status", 200) < 500]
    if refused:  # the API refuses this request for this persona (no permission, parameter not offered)
        result.notes.append(
            "not applicable (answered 4xx): "
            + "; ".join(f"{v['label']} ({v['persona']}) → {v['status']}" for v in refused[:8])
        )
    measured = [v for v in variants if v.get("n") and v not in refused]
    result.variants = variants
    if not measured:
        result.status = "not_measured"
        result.reason = result.reason or "nothing to measure"
        return result
    worst = max(measured, key=lambda v: v[metric])
    result.figures = {
        metric: worst[metric],
        "worst": f"{worst['label']} ({worst['persona']})",
        "variants": len(measured),
        "requests": sum(v["n"] for v in measured),
    }
    errors = sum(v["errors"] for v in measured)
    return result.judge(errors=errors)


# ------------------------------------------------------------------------------------------------
# samples from the data set (plain values are decrypted here, in the benchmark process only)
# ------------------------------------------------------------------------------------------------
def _sample_cases(user, n: int, rng: random.Random) -> list:
    from gugus.cases.selectors import cases_visible_to

    qs = cases_visible_to(user).order_by("pk").values_list("pk", flat=True)
    total = qs.count()
    if not total:
        return []
    out = []
    for _ in range(n):
        out.append(qs[rng.randrange(total)])
    return out


def _sample_identity(case_id) -> dict:
    from gugus.cases.models import Case, Identity

    case = Case.objects.get(pk=case_id)
    ident = Identity.objects.filter(victim_id=case.victim_id).first()
    return {
        "case_number": case.case_number,
        "full_name": ident.full_name if ident else "",
        "nik": ident.nik if ident else "",
        "region": case.region_id,
        "origin": case.origin_region_id,
    }


def _search_params(
    names: list[str], schemas: dict, sample: dict, options: dict | None = None
) -> list[tuple[str, dict]]:
    """Search variants for a list endpoint's query parameters (API) or a page's GET form fields."""
    variants: list[tuple[str, dict]] = []
    lower = {n.lower(): n for n in names}
    date_from = next(
        (lower[k] for k in lower if any(w in k for w in ("from", "since", "after", "start", "dari", "mulai"))), None
    )
    date_to = next(
        (
            lower[k]
            for k in lower
            if any(w in k for w in ("to", "until", "before", "end", "sampai", "hingga")) and k != "total"
        ),
        None,
    )
    for low, name in lower.items():
        if low in SEARCH_WORDS:
            variants += [(f"{name}=case number", {name: sample["case_number"]})]
            if sample["full_name"]:
                variants.append((f"{name}=name", {name: sample["full_name"]}))
            if sample["nik"]:
                variants.append((f"{name}=NIK", {name: sample["nik"]}))
        elif low in ("case_number", "number", "nomor", "nomor_kasus"):
            variants.append((f"{name}", {name: sample["case_number"]}))
        elif low in ("name", "nama", "full_name"):
            if sample["full_name"]:
                variants.append((f"{name}", {name: sample["full_name"]}))
        elif low == "nik":
            if sample["nik"]:
                variants.append(("nik", {name: sample["nik"]}))
        elif "region" in low or "wilayah" in low:
            variants.append((f"{name}=kab/kota", {name: sample["origin"] or sample["region"]}))
            variants.append((f"{name}=province", {name: (sample["origin"] or sample["region"]).split(".")[0]}))
        elif low == "status":
            variants.append(("status", {name: "receiving_services"}))
        elif "exploit" in low or "eksploitasi" in low:
            variants.append((name, {name: "forced_labour_or_services"}))
        elif low in ("sex", "jenis_kelamin"):
            variants.append((name, {name: "female"}))
        elif low in ("is_child", "child", "anak"):
            variants.append((name, {name: "true"}))
        elif low in ("sort", "ordering", "order", "urut", "sort_by"):
            schema = schemas.get(name, {}) if schemas else {}
            values = schema.get("enum") or list(
                dict.fromkeys(
                    ([schema["default"]] if schema.get("default") else []) + list((options or {}).get("sort", []))
                )
            )
            for v in (values or ["-identification_date", "case_number"])[:3]:
                if v:
                    variants.append((f"{name}={v}", {name: v}))
    if date_from:
        rng_q = {date_from: "2025-01-01"}
        if date_to:
            rng_q[date_to] = "2025-06-30"
        variants.append(("date range", rng_q))
    return variants


# ------------------------------------------------------------------------------------------------
# cases: list, search, case file
# ------------------------------------------------------------------------------------------------
T_LIST = Target("p95_ms", "<=", 50, "ms", "p95 ≤ 50 ms")
T_REG = Target("p95_ms", "<=", 150, "ms", "p95 ≤ 150 ms")
T_DASH = Target("p95_ms", "<=", 300, "ms", "p95 ≤ 300 ms")
T_FLAT = Target("growth_mib", "<=", 20, "MiB", "RSS growth ≤ 20 MiB after warm-up (flat)")
T_REBUILD = Target("seconds", "<=", 60, "s", "≤ 60 s")
T_INCR = Target("p95_s", "<=", 1, "s", "≤ 1 s after one record change")
T_IMPORT = Target("seconds", "<=", 60, "s", "≤ 60 s end to end, memory bounded")
T_EXPORT = Target("growth_mib", "<=", 64, "MiB", "streamed: RSS growth ≤ 64 MiB")

LIST_PERSONAS = ("case_worker", "province", "national")


def _deep_cursor(client, path: str, depth: int, limit: int) -> tuple[str | None, int]:
    """The `next_cursor` that starts a page `depth` records deep (the way the UI and API clients
    reach deep pages: "Berikutnya »" carries the cursor of the page before). Found with one
    untimed offset request; when the scope holds fewer records the depth is halved until a page
    with a successor exists. Returns (cursor, depth reached)."""
    while depth >= 2 * limit:
        r = client.get(path, {"offset": depth - limit, "limit": limit})
        if r.status_code == 200 and r.json().get("next_cursor"):
            return r.json()["next_cursor"], depth
        depth //= 2
    return None, 0


@benchmark("cases-list")
def bench_cases_list(b: Bench) -> Result:
    """Case list: first page and a deep page reached by keyset (`next_cursor`), API and /kasus/."""
    res = Result("cases-list", "Case list (first and deep pages, API and page)", T_LIST)
    w = b.world
    variants = []
    offset_info = []
    op = w.operation("get", *LIST_PATHS)
    for persona in LIST_PERSONAS:
        api, page = w.api(persona), w.session(persona)
        if op:
            path, spec = op
            params = w.query_params(spec)
            variants.append(_variant("API first page", persona, path, None, b, api))
            if "cursor" in params:
                cursor, depth = _deep_cursor(api, path, 200 * 20, 20)
                if cursor:
                    variants.append(
                        _variant(
                            f"API deep page (cursor, after {depth:,})",
                            persona,
                            path,
                            {"limit": 20, "cursor": cursor},
                            b,
                            api,
                        )
                    )
            if "offset" in params:
                # Offsets stay for simple clients but cost time with depth; shown, not the headline.
                v = _variant("API page 200 (offset, info)", persona, path, {"offset": 200 * 20, "limit": 20}, b, api)
                v["headline"] = False
                offset_info.append(v)
        variants.append(_variant("page /kasus/", persona, "/kasus/", None, b, page))
        if op and "cursor" in w.query_params(op[1]):
            # The page pages by cursor only ("Berikutnya »"), 50 rows a page: page 200 starts at 9,950.
            cursor, depth = _deep_cursor(api, op[0], 200 * 50, 50)
            if cursor:
                variants.append(
                    _variant(
                        f"page /kasus/ deep (cursor, after {depth:,})", persona, "/kasus/", {"cursor": cursor}, b, page
                    )
                )
    if not op:
        res.notes.append("API list operation not found (looked for " + ", ".join(LIST_PATHS) + ")")
    res = _headline(res, variants)
    if offset_info:
        res.variants += offset_info
        worst = max((v for v in offset_info if v.get("n")), key=lambda v: v["p95_ms"], default=None)
        if worst:
            res.notes.append(
                f"info, not in the headline: deep offset paging (API ?offset=4000) p95 up to {worst['p95_ms']} ms "
                f"({worst['persona']}); the UI and the documented way to page deep use the cursor"
            )
    return res


def _identity_search_allowed(user) -> bool:
    """Searching by name, NIK or phone is identity access: refused (422, field `q`) to users
    without identity rights — by design (docs/access.md), so not asked of them."""
    from gugus.accounts.scope import scope_for
    from gugus.cases.selectors import has_identity_rights

    return bool(has_identity_rights(scope_for(user)))


IDENTITY_LABELS = ("=name", "=NIK", "nik", "phone")


@benchmark("cases-search")
def bench_cases_search(b: Bench) -> Result:
    """Every search parameter of the API list, POST /victims/search and the /kasus/ form."""
    res = Result("cases-search", "Case search (case number, name, NIK, region, status, form, dates)", T_LIST)
    w = b.world
    variants = []
    op = w.operation("get", *LIST_PATHS)
    search_op = w.operation("post", "/api/v1/victims/search")
    ids = _sample_cases(w.users["case_worker"], 20, b.rng)
    if not ids:
        res.reason = "no cases in the case worker's scope"
        return res
    # A record with both a name and a NIK, so that every identity search has a value to look for.
    samples = [_sample_identity(i) for i in ids]
    sample = next((x for x in samples if x["nik"] and x["full_name"]), samples[0])
    skipped_identity = []
    for persona in ("case_worker", "national"):
        identity_ok = _identity_search_allowed(w.users[persona])

        def keep(label, identity_ok=identity_ok, persona=persona):
            if identity_ok or not any(x in label for x in IDENTITY_LABELS):
                return True
            skipped_identity.append(f"{label} ({persona})")
            return False

        page = w.session(persona).get("/kasus/")
        names, options = get_form_fields(page.content.decode()) if page.status_code == 200 else ([], {})
        if op:
            path, spec = op
            params = w.query_params(spec)
            for label, q in _search_params(
                [p for p in params if p not in ("limit", "offset", "cursor")], params, sample, options
            ):
                if keep("API " + label):
                    variants.append(_variant("API " + label, persona, path, q, b, w.api(persona)))
        if search_op and identity_ok:
            # The documented way to search by name or NIK: values in the body, never in a URL.
            spath = search_op[0]
            for label, body in (("name", {"q": sample["full_name"]}), ("NIK", {"nik": sample["nik"]})):
                if body[next(iter(body))]:
                    variants.append(_variant_json(f"API POST search {label}", persona, spath, body, b, w.api(persona)))
        if page.status_code == 200:
            method = search_form_method(page.content.decode())
            for label, q in _search_params([n for n in names if n != "page"], {}, sample, options):
                if keep(label):
                    variants.append(
                        _variant(
                            f"page ({method.upper()}) " + label, persona, "/kasus/", q, b, w.session(persona), method
                        )
                    )
    if skipped_identity:
        res.notes.append(
            "not asked (by design: searching by name/NIK/phone is identity access, answered 422 to users "
            "without identity rights): " + "; ".join(skipped_identity[:6])
        )
    if not variants:
        res.reason = "neither the API list nor the /kasus/ page offers search parameters yet"
        return res
    return _headline(res, variants)


def _variant_json(label: str, persona: str, url: str, body: dict, b: Bench, client) -> dict:
    statuses = []

    def call(_i):
        r = client.post(url, body, content_type="application/json")
        statuses.append(r.status_code)

    durations, _ = time_calls(call, b.repeats, warmup=2)
    return {
        "label": label,
        "persona": persona,
        "url": url,
        "params": dict.fromkeys(body, "…"),  # identity values stay out of the results
        "status": statuses[-1],
        "errors": sum(1 for s in statuses[2:] if not _status_ok(s)),
        **summarise_ms(durations),
    }


@benchmark("case-file")
def bench_case_file(b: Bench) -> Result:
    res = Result("case-file", "Case file page and API detail (no target in the issues; for the load test)", None)
    w = b.world
    ids = _sample_cases(w.users["case_worker"], b.repeats, b.rng)
    if not ids:
        return Result.missing(res.name, res.title, None, "no cases in the case worker's scope")
    variants = []
    cycle = itertools.cycle(ids)
    for label, client, tmpl in (("page /kasus/<id>/", w.session("case_worker"), "/kasus/{}/"),):
        statuses = []

        def call(_i, client=client, tmpl=tmpl, statuses=statuses):
            r = client.get(tmpl.format(next(cycle)))
            statuses.append(r.status_code)

        durations, _ = time_calls(call, b.repeats)
        variants.append(
            {
                "label": label,
                "persona": "case_worker",
                "errors": sum(not _status_ok(s) for s in statuses),
                "status": statuses[-1],
                **summarise_ms(durations),
            }
        )
    op = w.find_operations("get", r"^/api/v1/(victims|cases)/\{[a-z_]+\}/?$")
    if op:
        path = op[0][0]
        statuses = []

        def call_api(_i):
            r = w.api("case_worker").get(path.split("{")[0] + str(next(cycle)) + "/" * path.endswith("/"))
            statuses.append(r.status_code)

        durations, _ = time_calls(call_api, b.repeats)
        variants.append(
            {
                "label": f"API {path}",
                "persona": "case_worker",
                "errors": sum(not _status_ok(s) for s in statuses),
                "status": statuses[-1],
                **summarise_ms(durations),
            }
        )
    res = _headline(res, variants)
    res.status = "info"
    return res


# ------------------------------------------------------------------------------------------------
# registration with the duplicate check
# ------------------------------------------------------------------------------------------------
def _valid_nik(rng: random.Random, kec_code: str, birth: dt.date, female: bool) -> str:
    day = birth.day + (40 if female else 0)
    return f"{kec_code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randint(9001, 9999):04d}"


SYNONYMS = {
    "domicile_region_code": "domicile_region",
    "origin_region_code": "origin_region",
    "region": "domicile_region",
    "identification_channel_code": "identification_channel",
    "sex_code": "sex",
    "name": "full_name",
    "nationality": "citizenship",
    "citizenship_code": "citizenship",
    "destination_country_code": "destination_country",
    "exploitation": "exploitation_forms",
    "exploitation_codes": "exploitation_forms",
    "date_of_birth": "birth_date",
}


def _fill(w: World, schema: dict, values: dict, depth: int = 0) -> object:
    """A JSON value for `schema` drawn from `values` (by property name), else a plain valid default."""
    schema = w.schema_ref(schema)
    if "anyOf" in schema:
        options = [w.schema_ref(s) for s in schema["anyOf"] if w.schema_ref(s).get("type") != "null"]
        schema = options[0] if options else {}
    if "allOf" in schema:
        schema = w.schema_ref(schema["allOf"][0])
    typ = schema.get("type")
    if typ == "object" or "properties" in schema:
        out = {}
        required = set(schema.get("required", []))
        for prop, sub in schema.get("properties", {}).items():
            key = prop if prop in values else SYNONYMS.get(prop)
            sub_schema = w.schema_ref(sub)
            is_list_of_objects = sub_schema.get("type") == "array" and w.schema_ref(sub_schema.get("items", {})).get(
                "properties"
            )
            if key in values and values[key] is not None and is_list_of_objects and isinstance(values[key], list):
                out[prop] = _fill(w, sub_schema, {"__list__": values[key]}, depth + 1)
            elif key in values and values[key] is not None:
                out[prop] = values[key]
            elif prop in required or (depth < 2 and w.schema_ref(sub).get("properties")):
                out[prop] = _fill(w, sub, values, depth + 1)
        return out
    if "enum" in schema:
        return schema["enum"][0]
    if typ == "array":
        items = w.schema_ref(schema.get("items", {}))
        given = values.get("__list__")
        if isinstance(given, list) and (items.get("properties") or items.get("type") == "object"):
            return [_fill(w, items, v, depth + 1) for v in given]
        return []
    if typ == "integer":
        return max(1, schema.get("minimum", 1))
    if typ == "number":
        return 1
    if typ == "boolean":
        return False
    if schema.get("format") == "date":
        return (dt.date.today() - dt.timedelta(days=10)).isoformat()
    if schema.get("format") == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    return "x"


def _registration_values(b: Bench, i: int, names: list[tuple[str, str]]) -> dict:
    from gugus.reference.models import Region

    rng = b.rng
    if not hasattr(b, "_kecs"):
        b._kecs = list(Region.objects.filter(level=3, parent_id="32.12").values_list("code", flat=True)) or ["32.12.01"]
    female = rng.random() < 0.66
    birth = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(6000))
    name, birth_iso = names[i % len(names)] if names and rng.random() < 0.5 else ("", "")
    if birth_iso:
        birth = dt.date.fromisoformat(birth_iso)
    name = name or rng.choice(
        [
            "Siti Aminah",
            "Dewi Lestari",
            "Nur Hasanah",
            "Yohana Tefa",
            "Maria Bria",
            "Ani Suryani",
            "Ahmad Fauzi",
            "Yakobus Nenobais",
            "Sri Wahyuni",
            "Ratna Sari",
        ]
    )
    ident = dt.date.today() - dt.timedelta(days=rng.randint(1, 60))
    values = {
        "sex": "female" if female else "male",
        "identification_date": ident.isoformat(),
        "identification_channel": "hotline",
        "full_name": name,
        "aliases": [],
        "nik": _valid_nik(rng, rng.choice(b._kecs), birth, female),
        "birth_date": birth.isoformat(),
        "phone": f"0812{rng.randint(10_000_000, 99_999_999)}",
        "address": "Jl. Sintetis No. 1",
        "domicile_region": "32.12",
        "origin_region": "32.12",
        "citizenship_status": "wni",
        "citizenship": "ID",
        "exploitation_forms": ["forced_labour_or_services"],
        "means": ["deception"],
        "acts": ["recruitment"],
        "sector": "domestic_work",
        "scope": "transnational",
        "destination_country": "MY",
        "trafficking_status": "possible",
        "recruiter_relation": "agency",
        "is_draft": False,
        "route": [
            {"stage": "recruitment", "region_code": "32.12", "region": "32.12"},
            {"stage": "exploitation", "country_code": "MY", "country": "MY"},
        ],
    }
    if not female:
        values["nik"] = _valid_nik(rng, rng.choice(b._kecs), birth, False)
    return values


@benchmark("registration")
def bench_registration(b: Bench) -> Result:
    from django.db import transaction

    res = Result("registration", "Registration of a victim with the duplicate check", T_REG)
    w = b.world
    ids = _sample_cases(w.users["case_worker"], 40, b.rng)
    names = []
    for cid in ids:
        s = _sample_identity(cid)
        from gugus.cases.models import Case, Identity

        ident = Identity.objects.filter(victim_id=Case.objects.get(pk=cid).victim_id).first()
        if s["full_name"] and ident and ident.birth_date:
            names.append((s["full_name"], ident.birth_date))
    create = w.operation("post", *LIST_PATHS)
    dup = w.find_operations("post", r"(duplicat|kandidat|candidate|match)") or w.find_operations(
        "get", r"(duplicat|kandidat|candidate|match)"
    )
    client = w.api("case_worker")
    statuses: list[int] = []
    bodies: list[str] = []

    if create:
        path, spec = create
        body_schema = w.request_schema(spec)
        dup_spec = dup[0] if dup else None
        dup_method = "post" if dup and w.operation("post", dup[0][0]) else "get"

        def one(i):
            values = _registration_values(b, abs(i), names)
            if dup_spec:
                dpath, dop = dup_spec
                if dup_method == "post":
                    r = client.post(dpath, _fill(w, w.request_schema(dop), values), content_type="application/json")
                else:
                    q = {k: values.get(k if k in values else SYNONYMS.get(k, k)) for k in w.query_params(dop)}
                    r = client.get(dpath, {k: v for k, v in q.items() if v not in (None, [], "")})
                statuses.append(r.status_code)
            payload = _fill(w, body_schema, values)
            r = client.post(path, payload, content_type="application/json")
            if r.status_code == 409 and "ignore_duplicates" in body_schema.get("properties", {}):
                # Candidates shown; the worker confirms it is a different person and saves.
                r = client.post(path, {**payload, "ignore_duplicates": True}, content_type="application/json")
            statuses.append(r.status_code)
            if not _status_ok(r.status_code):
                bodies.append(r.content[:300].decode(errors="replace"))

        with transaction.atomic():
            durations, _ = time_calls(one, b.repeats, warmup=3)
            transaction.set_rollback(True)  # keep the cached data set as generated
        res.variants = [
            {
                "label": "API " + path + (" + " + dup_spec[0] if dup_spec else ""),
                "persona": "case_worker",
                **summarise_ms(durations),
            }
        ]
        res.figures = {**summarise_ms(durations), "path": path}
        errors = sum(1 for s in statuses if not _status_ok(s))
        if errors:
            res.notes.append("first error answer: " + (bodies[0] if bodies else "?"))
        if not dup_spec:
            res.notes.append(
                "no separate duplicate-check operation in the API; measured the create call, which "
                "must run the duplicate check itself"
            )
        return res.judge(errors=errors)
    # No API yet: the service function, as a partial measurement.
    from gugus.cases import services

    if not hasattr(services, "victim_register"):
        return Result.missing(res.name, res.title, T_REG, "no registration API and no cases.services.victim_register")
    import dataclasses

    fields = {f.name for f in dataclasses.fields(services.VictimData)}
    user = w.users["case_worker"]

    def one_service(i):
        values = _registration_values(b, abs(i), names)
        data = {k: v for k, v in values.items() if k in fields and k != "route"}
        for k in ("identification_date", "birth_date"):
            data[k] = dt.date.fromisoformat(data[k])
        services.victim_register(actor=user, data=services.VictimData(**data))

    with transaction.atomic():
        durations, _ = time_calls(one_service, b.repeats, warmup=3)
        transaction.set_rollback(True)
    res.figures = summarise_ms(durations)
    res.variants = [{"label": "service victim_register", "persona": "case_worker", **summarise_ms(durations)}]
    res.notes.append(
        "No registration API (POST /api/v1/victims/) yet: measured cases.services.victim_register "
        "directly, without any duplicate check — not the figure the target is about."
    )
    return res.judge(complete=False)


# ------------------------------------------------------------------------------------------------
# memory while paging through everything
# ------------------------------------------------------------------------------------------------
@benchmark("paging-memory")
def bench_paging_memory(b: Bench) -> Result:
    res = Result("paging-memory", "Server memory while paging through every record (national user)", T_FLAT)
    w = b.world
    op = w.operation("get", *LIST_PATHS)
    from gugus.cases.selectors import cases_visible_to

    total = cases_visible_to(w.users["national"]).count()
    cursor_state: dict = {}
    if op:
        path, spec = op
        params = w.query_params(spec)
        limit_schema = params.get("limit", {})
        # The API's largest page (its documented maximum; 200 when the schema does not say).
        limit = int(min(limit_schema.get("maximum", 200), 500)) if "limit" in params else None
        client = w.api("national")
        cursor_state["next"] = None
        if limit and "cursor" in params:
            # Keyset paging: each page names the next (the way to read everything; offsets are capped).

            def fetch(page):
                query = {"limit": limit}
                if page and cursor_state["next"]:
                    query["cursor"] = cursor_state["next"]
                r = client.get(path, query)
                if r.status_code == 200:
                    body = r.json()
                    cursor_state["next"] = body.get("next_cursor") or body.get("cursor") or body.get("next")
                    cursor_state["items"] = cursor_state.get("items", 0) + (page > 0) * len(body.get("items", []))
                    if not cursor_state["next"]:
                        cursor_state["done"] = True
                return r

            per_page = limit
            how = f"API {path}?limit={limit}&cursor=…"
        elif limit and "offset" in params:

            def fetch(page):
                return client.get(path, {"limit": limit, "offset": page * limit})

            per_page = limit
            how = f"API {path}?limit={limit}&offset=…"
            res.notes.append("the API offers no cursor: paged by offset (deep offsets cost time)")
        else:

            def fetch(page):
                return client.get(path, {"page": page + 1})

            per_page = None
            how = f"API {path}?page=…"
    else:
        client = w.session("national")

        def fetch(page):
            return client.get("/kasus/", {"page": page + 1})

        per_page = None
        how = "page /kasus/?page=…"
    first = fetch(0)
    if first.status_code == 422 and op and per_page:
        for smaller in (200, 100, 50):  # the API may cap the page size below what its schema says
            limit = per_page = smaller
            how = f"API {path}?limit={limit}&" + ("cursor=…" if "cursor" in params else "offset=…")
            first = fetch(0)
            if first.status_code == 200:
                break
    if first.status_code != 200:
        return Result.missing(res.name, res.title, T_FLAT, f"{how} answered {first.status_code}")
    if per_page is None:
        body = first.content
        per_page = (
            max(1, body.count(b"/kasus/") - 2)
            if not op
            else len(first.json().get("items", first.json()) if isinstance(first.json(), dict) else first.json())
        )
    pages_total = (total + per_page - 1) // per_page
    deadline = time.perf_counter() + b.paging_budget_s
    samples, durations = [], []
    gc.collect()
    warm = max(5, pages_total // 50)
    base = None
    page = 0
    errors = 0
    while page < pages_total and time.perf_counter() < deadline and not cursor_state.get("done"):
        t = time.perf_counter()
        r = fetch(page)
        durations.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            errors += 1
        del r
        page += 1
        if page == warm:
            gc.collect()
            base = rss_mib()
        if page % max(1, pages_total // 200) == 0:
            samples.append((page, round(rss_mib(), 1)))
    gc.collect()
    end = rss_mib()
    if base is None:
        base = samples[0][1] if samples else end
    peak = max([s[1] for s in samples if s[0] >= warm] + [end])
    res.figures = {
        "growth_mib": round(peak - base, 1),
        "rss_after_warmup_mib": round(base, 1),
        "rss_peak_mib": round(peak, 1),
        "rss_end_mib": round(end, 1),
        "pages": page,
        "pages_total": pages_total,
        "per_page": per_page,
        "records_total": total,
        # Keyset: the records actually received; otherwise pages × page size.
        "records_covered": (cursor_state.get("items", 0) + per_page)
        if "items" in cursor_state
        else min(total, page * per_page),
        "how": how,
        **{f"page_{k}": v for k, v in summarise_ms(durations).items()},
        "last_page_ms": round(durations[-1], 1) if durations else None,
    }
    res.variants = [{"label": "RSS samples (page, MiB)", "samples": samples[:: max(1, len(samples) // 40)]}]
    complete = page >= pages_total or bool(cursor_state.get("done"))
    if not complete:
        res.notes.append(
            f"time budget of {b.paging_budget_s:.0f} s reached after {page} of {pages_total} pages "
            "(raise --paging-budget to page through everything)"
        )
    return res.judge(complete=complete, errors=errors)


# ------------------------------------------------------------------------------------------------
# monitoring
# ------------------------------------------------------------------------------------------------
def _monitoring_tables() -> list[str]:
    from django.apps import apps

    try:
        return [m._meta.db_table for m in apps.get_app_config("monitoring").get_models()]
    except LookupError:
        return []


def _table_counts(tables: list[str]) -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f'SELECT COUNT(*) FROM "{t}"')
            out[t] = cur.fetchone()[0]
    return out


def _reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


@benchmark("monitoring-rebuild")
def bench_monitoring_rebuild(b: Bench) -> Result:
    from django.core.management import call_command, get_commands

    res = Result(
        "monitoring-rebuild", "Indicators: full rebuild of the analytics store (`gugus indicators rebuild`)", T_REBUILD
    )
    if "indicators" not in get_commands():
        return Result.missing(res.name, res.title, T_REBUILD, "no `gugus indicators` command yet (gugus/monitoring)")
    tables = _monitoring_tables()
    gc.collect()
    _reset_peak_rss()
    before = rss_mib()
    t = time.perf_counter()
    call_command("indicators", "rebuild")
    seconds = time.perf_counter() - t
    counts = _table_counts(tables)
    res.figures = {
        "seconds": round(seconds, 2),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak_rss_mib(), 1),
        "rows_in_monitoring_tables": sum(counts.values()),
    }
    res.variants = [{"label": "rows per table", **counts}]
    if not sum(counts.values()):
        res.notes.append("the rebuild left the monitoring tables empty")
    return res.judge()


@benchmark("monitoring-incremental")
def bench_monitoring_incremental(b: Bench) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gugus.core.signals import record_changed

    res = Result("monitoring-incremental", "Indicators: incremental refresh after one record change", T_INCR)
    listeners = []
    for entry in record_changed.receivers:
        receiver = entry[1]
        if callable(receiver) and type(receiver).__name__ in ("ReferenceType", "WeakMethod"):
            receiver = receiver()
        if receiver is not None and getattr(receiver, "__module__", "").startswith("gugus.monitoring"):
            listeners.append(receiver)
    if not listeners:
        return Result.missing(
            res.name,
            res.title,
            T_INCR,
            "nothing listens to core.signals.record_changed yet (gugus/monitoring has no incremental refresh)",
        )
    from gugus.cases.models import Case
    from gugus.cases.services import case_change_status

    user = b.world.users["case_worker"]
    ids = _sample_cases(user, b.repeats + 1, b.rng)
    cases = [Case.objects.get(pk=i) for i in ids]
    flips = {
        "registered": "assessed",
        "assessed": "receiving_services",
        "receiving_services": "reintegrated",
        "reintegrated": "receiving_services",
    }
    cases = [c for c in cases if c.status in flips]
    if not cases:
        return Result.missing(res.name, res.title, T_INCR, "no case with a reversible status in scope")
    # Does a change actually reach the analytics store? (checked once, outside the timed runs)
    probe = cases[0]
    tables = _monitoring_tables()
    with CaptureQueriesContext(connection) as ctx:
        case_change_status(actor=user, case=probe, to_status=flips[probe.status])
    touched = [
        q["sql"][:80]
        for q in ctx.captured_queries
        if any(t in q["sql"] for t in tables) and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    if not touched:
        res.notes.append(
            "a status change did not write to any monitoring table within the request "
            "(the refresh may be queued for a worker); timing the change + queued work in this process"
        )
    durations = []
    for c in cases[1:]:
        if sum(durations) / 1000 > 2 * measure.VARIANT_BUDGET_S and len(durations) >= MIN_SAMPLES:
            break  # bounded: a slow refresh is sampled fewer times (n is in the figures)
        c.refresh_from_db()
        target = flips.get(c.status)
        if not target:
            continue
        t = time.perf_counter()
        case_change_status(actor=user, case=c, to_status=target)
        durations.append((time.perf_counter() - t) * 1000)
    summary = summarise_ms(durations)
    res.figures = {
        "p95_s": round(summary.get("p95_ms", 0) / 1000, 3),
        **summary,
        "writes_to_monitoring_tables": len(touched),
    }
    return res.judge(complete=bool(touched))


def _monitoring_urls(w: World) -> list[tuple[str, str]]:
    """The monitoring pages a national user reads: pages without arguments, and pages taking a
    region code (national, a province, a kab/kota)."""
    import re

    urls = []
    for route, args, name in w.url_patterns("monitoring"):
        if any(ch in route for ch in "()^$") or not route.endswith("/"):
            continue
        if not args:
            urls.append((name or route, route))
        elif len(args) == 1 and (args[0] in ("region", "wilayah", "code") and re.search(r"(wilayah|region)/<", route)):
            for code in ("ID", "32", "32.12"):
                urls.append((f"{name}({code})", re.sub(r"<[^>]+>", code, route)))
    return urls


def _links(html: str, prefix: str) -> list[str]:
    import html as htmlmod
    import re

    return list(dict.fromkeys(htmlmod.unescape(h) for h in re.findall(rf'href="({re.escape(prefix)}[^"]*)"', html)))


ACTION_WORDS = ("csv", "export", "unduh", "tutup", "close", "edit", "ubah", "baru", "new", "hapus", "buka", "target")


@benchmark("dashboard")
def bench_dashboard(b: Bench) -> Result:
    """Every monitoring page (GET) for the national user, drill-down and indicator pages found by
    following the dashboards' own links, and each level's dashboard for its own secretariat."""
    res = Result("dashboard", "Monitoring dashboards (national, province, kab/kota)", T_DASH)
    w = b.world
    urls = _monitoring_urls(w)
    if not urls:
        return Result.missing(res.name, res.title, T_DASH, "gugus/monitoring has no pages yet")
    variants = []
    actions, skipped = [], []
    found: dict[str, str] = {}  # label -> url of pages reached through links (indicator, drill-down)
    client = w.session("national")

    def measure(label: str, url: str, persona: str = "national", c=None) -> None:
        nonlocal variants
        c = c or client
        if any(v["url"] == url and v["persona"] == persona for v in variants):
            return
        variants.append(_variant(label, persona, url, None, b, c))

    for label, url in urls:
        if any(x in url for x in ACTION_WORDS):
            continue
        r = client.get(url, follow=True)
        if r.status_code == 405:  # an action (POST form target), not a page to read
            actions.append(url)
            continue
        if r.redirect_chain:
            url = r.redirect_chain[-1][0]
        if r.status_code == 404 and not r.redirect_chain:
            # A page that needs parameters (the drill-down) is reached from the dashboards' links below.
            skipped.append(url)
            continue
        if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
            res.notes.append(f"{url} → {r.status_code} for the national user")
            continue
        html = r.content.decode()
        ind = [
            u
            for u in _links(html, "/monitoring/indikator/")
            if u.count("/") == 4 and "?" in u and not any(x in u for x in ACTION_WORDS)
        ]
        if ind:
            found.setdefault("indicator page", ind[0])
        measure(label, url)
    # The drill-down behind a figure (records in scope), nationally and for a kab/kota.
    for code in ("32.12", "ID"):
        r = client.get(f"/monitoring/wilayah/{code}/")
        if r.status_code == 200:
            links = _links(r.content.decode(), "/monitoring/telusur/")
            if links:
                found[f"drill-down ({code})"] = links[0]
    for label, url in found.items():
        measure(label, url)
    # Each level's dashboard for its own secretariat (what they open first).
    for persona, code in (("province", "32"), ("kab", "32.12")):
        if w.users.get(persona) is not None:
            c = w.session(persona)
            r = c.get(f"/monitoring/wilayah/{code}/")
            if r.status_code == 200:
                measure(f"region({code}) own", f"/monitoring/wilayah/{code}/", persona, c)
            else:
                res.notes.append(f"/monitoring/wilayah/{code}/ → {r.status_code} for {persona}")
    if actions:
        res.notes.append("actions, not pages (POST only): " + ", ".join(actions))
    unreached = [u for u in skipped if not any(u in v["url"] for v in variants)]
    if unreached:
        res.notes.append("not measured (needs parameters, no link found on the dashboards): " + ", ".join(unreached))
    if not variants:
        res.reason = "no monitoring page answered 200 for the national user"
        return res
    return _headline(res, variants)


# ------------------------------------------------------------------------------------------------
# exchange: import and export
# ------------------------------------------------------------------------------------------------
@benchmark("import-100k")
def bench_import(b: Bench) -> Result:
    from . import exchange_bench

    return exchange_bench.bench_import(b, T_IMPORT)


@benchmark("export-1m")
def bench_export(b: Bench) -> Result:
    from . import exchange_bench

    return exchange_bench.bench_export(b, T_EXPORT)
