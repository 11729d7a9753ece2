"""Runs this app's permission matrix locally (the project-wide runner lives in gugus/core/tests)."""

from pathlib import Path

import pytest

from gugus.core.tests.matrix import World

from . import matrix

# The project-wide runner checks these same cases; this local run is for while it does not exist.
PROJECT_RUNNER = Path(__file__).resolve().parents[2] / "core" / "tests" / "test_permission_matrix.py"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(PROJECT_RUNNER.exists(), reason="run by gugus/core/tests/test_permission_matrix.py"),
]


def test_permission_matrix(personas, client_for, api_for):
    world = World(personas=personas)
    matrix.build(world)
    cases = matrix.matrix_cases(world)
    users = personas.all()
    api_clients = {name: api_for(user) for name, user in users.items()}
    page_clients = {name: client_for(user) for name, user in users.items()}
    failures = []
    successes: dict[tuple, int] = {}
    for c in cases:
        client = api_clients[c.persona] if c.is_api else page_clients[c.persona]
        kwargs = {"content_type": "application/json"} if c.is_api and c.body is not None else {}
        body = c.body if c.body is not None else ({} if c.method != "GET" else None)
        fn = getattr(client, c.method.lower())
        resp = fn(c.url, body, **kwargs) if body is not None else fn(c.url)
        expected = c.expected if isinstance(c.expected, tuple) else (c.expected,)
        if resp.status_code not in expected:
            failures.append(f"{c.method} {c.url} as {c.persona}: {resp.status_code}, expected {c.expected}")
        if c.method != "GET" and resp.status_code in (200, 201, 302):
            successes[(c.method, c.url)] = successes.get((c.method, c.url), 0) + 1
    assert not failures, "\n".join(failures)
    # where several parties could act on one object, exactly one of them did
    acc = world.objects["referrals.accepted"]
    assert successes[("POST", f"/api/v1/referrals/{acc.pk}/complete")] == 1
    item = world.objects["referrals.item"]
    assert successes[("PATCH", f"/api/v1/action-items/{item.pk}")] == 1
    assert len(cases) > 300
