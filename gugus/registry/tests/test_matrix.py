"""The registry's permission matrix.

The project-wide run (gugus/core/tests/test_permission_matrix.py) sends every case; here we check
that the matrix covers every endpoint the registry declares (pages and API, each method), and —
with GUGUS_MATRIX_LOCAL=1 — run the registry's cases alone while working on the app.
"""

from __future__ import annotations

import os
import re

import pytest

from gugus.core.tests.matrix import MATRIX_APPS, build_world, persona_user, run_cases
from gugus.registry.tests import matrix

pytestmark = pytest.mark.django_db


def _page_patterns() -> list[re.Pattern]:
    from gugus.registry import urls

    out = []
    for p in urls.urlpatterns:
        regex = p.pattern.regex.pattern.lstrip("^").rstrip("\\Z").rstrip("$")
        out.append(re.compile("^/wilayah/" + regex + "$"))
    return out


def _api_operations() -> list[tuple[str, re.Pattern]]:
    from gugus.registry.api import router

    ops = []
    for path, path_view in router.path_operations.items():
        regex = re.sub(r"\{[^}]+\}", "[^/]+", path)
        for op in path_view.operations:
            for method in op.methods:
                ops.append((method, re.compile("^/api/v1/registry" + regex + "$")))
    return ops


def test_matrix_covers_every_endpoint(personas):
    assert "registry" in MATRIX_APPS
    _world, cases = build_world(personas, [("registry", matrix)])
    urls = [(c.method, c.url.split("?")[0]) for _app, c in cases]
    missing = [rx.pattern for rx in _page_patterns() if not any(rx.match(u) for m, u in urls if "/api/" not in u)]
    missing += [f"{m} {rx.pattern}" for m, rx in _api_operations() if not any(rx.match(u) for mm, u in urls if mm == m)]
    assert not missing, "\n".join(missing)
    personas_used = {c.persona for _app, c in cases}
    assert personas_used == set(matrix.ALL)


@pytest.mark.skipif(not os.environ.get("GUGUS_MATRIX_LOCAL"), reason="run by gugus/core/tests/test_permission_matrix")
def test_registry_permission_matrix_alone(personas, client_for, api_for):
    _world, cases = build_world(personas, [("registry", matrix)])
    clients = {}

    def client_for_case(case):
        key = (case.persona, case.is_api)
        if key not in clients:
            user = persona_user(personas, case.persona)
            clients[key] = api_for(user) if case.is_api else client_for(user)
        return clients[key]

    failures = run_cases(cases, client_for_case)
    assert not failures, f"{len(failures)} of {len(cases)} failed:\n" + "\n".join(failures)
