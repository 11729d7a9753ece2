"""Runs this app's permission matrix on its own (the project-wide test runs every app's)."""

import pytest

from gugus.core.tests.matrix import build_world, persona_user, run_cases

from . import matrix

pytestmark = pytest.mark.django_db


def test_exchange_matrix(personas, client_for, api_for):
    _world, cases = build_world(personas, [("exchange", matrix)])
    clients = {}

    def client(case):
        key = (case.persona, case.is_api)
        if key not in clients:
            user = persona_user(personas, case.persona)
            clients[key] = api_for(user) if case.is_api else client_for(user)
        return clients[key]

    failures = run_cases(cases, client)
    assert not failures, "\n".join(failures)
