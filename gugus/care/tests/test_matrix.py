"""The care permission matrix: every endpoint is declared, and a sample runs here (allowed, denied
and anonymous for each endpoint). The whole matrix — every persona — runs in
gugus/core/tests/test_permission_matrix.py with the other apps'."""

import re

import pytest
from django.urls import URLPattern, get_resolver

from gugus.core.tests.matrix import World, persona_user, run_cases

from . import matrix

pytestmark = pytest.mark.django_db


def _templates():
    """Every care URL (API routes and pages) as a regex with the parameters as wildcards."""
    from gugus.care.api import router

    out = []
    for path, ops in router.path_operations.items():
        methods = {m for op in ops.operations for m in op.methods}
        out.append((methods, "/api/v1" + re.sub(r"\{[^}]+\}", "[^/]+", path)))
    care = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "care")
    for p in care.url_patterns:
        assert isinstance(p, URLPattern)
        route = re.sub(r"<[^>]+>", "[^/]+", str(p.pattern))
        out.append(({"GET", "POST"}, "/layanan/" + route))
    return out


def test_every_endpoint_is_in_the_matrix(personas):
    world = World(personas=personas)
    matrix.build(world)
    cases = matrix.matrix_cases(world)
    for c in cases:
        persona_user(personas, c.persona)
    missing = []
    for methods, rx in _templates():
        if not any(re.fullmatch(rx, c.url.split("?")[0]) and c.method in methods for c in cases):
            missing.append(rx)
    assert not missing, missing
    by_endpoint = {}
    for c in cases:
        by_endpoint.setdefault((c.method, c.url), set()).add(c.persona)
    assert all(len(p) == len(matrix.ALL) for p in by_endpoint.values())


def test_matrix_sample(personas, client_for, api_for):
    world = World(personas=personas)
    matrix.build(world)
    picked, seen, anonymous = [], set(), 0
    for c in matrix.matrix_cases(world):
        exp = c.expected if isinstance(c.expected, tuple) else (c.expected,)
        kind = "anon" if c.persona == "anonymous" else "denied" if 404 in exp else "ok"
        key = (c.method, c.url, kind)
        if kind == "anon":
            # the global authentication answers anonymous callers the same everywhere: a few suffice
            anonymous += 1
            if anonymous % 8:
                continue
        if key not in seen:
            seen.add(key)
            picked.append(("care", c))
    clients = {}

    def client_for_case(case):
        key = (case.persona, case.is_api)
        if key not in clients:
            user = persona_user(personas, case.persona)
            clients[key] = api_for(user) if case.is_api else client_for(user)
        return clients[key]

    failures = run_cases(picked, client_for_case)
    assert not failures, "\n".join(failures)
