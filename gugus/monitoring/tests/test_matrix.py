"""Runs gugus/monitoring/tests/matrix.py locally (the project-wide matrix test runs it too)."""

from __future__ import annotations

import json

import pytest

from . import matrix

pytestmark = pytest.mark.django_db


def test_permission_matrix(personas, client_for, api_for):
    world = matrix.World(personas=personas)
    matrix.build(world)
    everyone = personas.all()
    clients: dict = {}
    failures = []
    for case in matrix.matrix_cases(world):
        user = everyone[case.persona]
        key = (case.persona, case.is_api)
        if key not in clients:
            clients[key] = api_for(user) if case.is_api else client_for(user)
        client = clients[key]
        if case.is_api:
            data = json.dumps(case.body) if case.body is not None else None
            r = getattr(client, case.method.lower())(case.url, data=data, content_type="application/json")
        elif case.method == "GET":
            r = client.get(case.url)
        else:
            r = client.post(case.url, case.body or {})
        expected = case.expected if isinstance(case.expected, tuple) else (case.expected,)
        if r.status_code not in expected:
            failures.append((case.method, case.url, case.persona, r.status_code, expected))
    assert not failures, failures
