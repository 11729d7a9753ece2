"""The permission matrix: every role × every endpoint each app declares × records inside and
outside scope (see gugus/core/tests/matrix.py). One World, every case, all mismatches at once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from gugus.core.tests.matrix import MatrixCase, build_world, matrix_modules, persona_user, run_cases

pytestmark = pytest.mark.django_db


def test_permission_matrix(personas, client_for, api_for):
    modules = matrix_modules()
    assert {app for app, _ in modules} >= {"reference", "accounts", "audit"}
    _world, cases = build_world(personas, modules)
    assert cases, "no matrix cases declared"
    for app, case in cases:
        persona_user(personas, case.persona)  # unknown persona names fail loudly
        assert case.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, (app, case)

    clients: dict[tuple[str, bool], Client] = {}

    def client_for_case(case: MatrixCase) -> Client:
        key = (case.persona, case.is_api)
        if key not in clients:
            user = persona_user(personas, case.persona)
            clients[key] = api_for(user) if case.is_api else client_for(user)
        return clients[key]

    failures = run_cases(cases, client_for_case)
    per_app = Counter(app for app, _ in cases)
    summary = ", ".join(f"{app}: {n}" for app, n in per_app.items())
    assert not failures, f"{len(failures)} of {len(cases)} matrix cases failed ({summary}):\n" + "\n".join(failures)


def test_runner_reports_every_mismatch_and_survives_crashes(personas, client_for):
    """The runner itself: wrong expectations and a crashing view are all reported, in one list."""
    cases = [
        ("t", MatrixCase("GET", "/akun/profil/", None, "cw_a", 200)),
        ("t", MatrixCase("GET", "/akun/profil/", None, "cw_a", 404, note="deliberately wrong")),
        ("t", MatrixCase("GET", "/akun/profil/", None, "anonymous", (302, 401))),
        ("t", MatrixCase("GET", "/api/v1/me", None, "anonymous", 200)),
        ("t", MatrixCase("GET", "/akun/profil/", None, "nobody", 200)),
    ]
    failures = run_cases(cases, lambda c: client_for(persona_user(personas, c.persona)))
    assert len(failures) == 3
    assert "deliberately wrong" in failures[0] and "got 200" in failures[0]
    assert "/api/v1/me as anonymous: expected 200, got 401" in failures[1]
    assert "raised KeyError" in failures[2]
