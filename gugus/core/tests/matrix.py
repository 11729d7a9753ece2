"""The permission-matrix framework.

Each app contributes `gugus/<app>/tests/matrix.py` with:

    def build(world: World) -> None:          # create the app's records, in and out of scope
        world.objects["care.service_a"] = ...  # (use world.personas, world.objects from lower apps)

    def matrix_cases(world: World) -> list[MatrixCase]:
        return [MatrixCase("GET", f"/api/v1/services/{...}", None, "cw_a", 200), ...]

`gugus/core/tests/test_permission_matrix.py` builds one World (apps in layer order, so lower
apps' records exist first) and checks every case: role × endpoint × in/out of scope.
Persona names are the keys of `Personas.all()` in the root conftest ("cw_a", "cw_b", "sv_a",
"provider", "police", "gt_kab", "province", "steward", "national", "executive", "admin",
"anonymous"); any other attribute of `Personas` that is a user ("cw_kupang", "cw_batam",
"province_ntt") works too. `api=True` (default for /api/ URLs) sends a bearer token; pages use
a logged-in session with the second factor passed. API bodies go as JSON, page bodies as a form.
Each request runs in its own savepoint, so a crash in one case cannot poison the others; every
mismatch is reported together in one failure message.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MATRIX_APPS = [
    "reference",
    "accounts",
    "audit",
    "cases",
    "registry",
    "care",
    "referrals",
    "monitoring",
    "exchange",
    "publish",
]


@dataclass(frozen=True)
class MatrixCase:
    method: str
    url: str
    body: dict | None
    persona: str
    expected: int | tuple[int, ...]
    note: str = ""

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")

    @property
    def expected_set(self) -> tuple[int, ...]:
        return self.expected if isinstance(self.expected, tuple) else (self.expected,)


@dataclass
class World:
    personas: object
    objects: dict = field(default_factory=dict)


def matrix_modules(apps: Iterable[str] = MATRIX_APPS) -> list[tuple[str, object]]:
    """(app, module) for every app that has a `tests/matrix.py`, in layer order."""
    found = []
    for app in apps:
        name = f"gugus.{app}.tests.matrix"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, f"gugus.{app}.tests", f"gugus.{app}"):
                continue
            raise
        found.append((app, module))
    return found


def build_world(personas, modules) -> tuple[World, list[tuple[str, MatrixCase]]]:
    world = World(personas=personas)
    for _app, module in modules:
        if hasattr(module, "build"):
            module.build(world)
    cases = [(app, case) for app, module in modules for case in module.matrix_cases(world)]
    return world, cases


def persona_user(personas, name: str):
    if name == "anonymous":
        return None
    users = personas.all()
    if name in users:
        return users[name]
    user = getattr(personas, name, None)
    if user is None or not hasattr(user, "pk"):
        raise KeyError(f"unknown persona '{name}'")
    return user


def send(client, case: MatrixCase):
    method = case.method.lower()
    if case.body is None:
        return getattr(client, method)(case.url)
    if case.is_api:
        return getattr(client, method)(case.url, data=json.dumps(case.body), content_type="application/json")
    if method == "get":
        return client.get(case.url, case.body)
    if method == "post":
        return client.post(case.url, case.body)
    from urllib.parse import urlencode

    return getattr(client, method)(
        case.url, data=urlencode(case.body, doseq=True), content_type="application/x-www-form-urlencoded"
    )


def run_cases(cases: list[tuple[str, MatrixCase]], client_for_case: Callable[[MatrixCase], object]) -> list[str]:
    """Run every case; return one line per mismatch (never stop at the first)."""
    from django.db import transaction

    failures = []
    for app, case in cases:
        where = f"[{app}] {case.method} {case.url} as {case.persona}"
        try:
            client = client_for_case(case)
            with transaction.atomic():
                response = send(client, case)
                # Undo the request's writes so every case meets the world as it was built.
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - every crash is a finding, reported with the rest
            failures.append(f"{where}: expected {case.expected}, raised {type(exc).__name__}: {exc}"[:500])
            continue
        if response.status_code not in case.expected_set:
            snippet = response.content[:160].decode("utf-8", "replace").replace("\n", " ")
            note = f" ({case.note})" if case.note else ""
            failures.append(f"{where}: expected {case.expected}, got {response.status_code}{note} — {snippet}")
    return failures
