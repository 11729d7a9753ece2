"""Runs the cases permission matrix locally (each case in its own rolled-back savepoint)."""

import json

import pytest
from django.db import transaction

from gugus.cases.tests import matrix
from gugus.core.tests.matrix import World

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def test_cases_permission_matrix(personas, client_for, api_for):
    world = World(personas=personas)
    matrix.build(world)
    cases = matrix.matrix_cases(world)
    users = personas.all()
    clients = {}
    failures = []
    for mc in cases:
        key = (mc.persona, mc.is_api)
        if key not in clients:
            clients[key] = api_for(users[mc.persona]) if mc.is_api else client_for(users[mc.persona])
        client = clients[key]
        status = None
        try:
            with transaction.atomic():
                if mc.is_api:
                    body = json.dumps(mc.body) if mc.body is not None else None
                    r = client.generic(mc.method, mc.url, data=body or "", content_type="application/json")
                elif mc.method == "GET":
                    r = client.get(mc.url)
                else:
                    r = client.post(mc.url, mc.body or {})
                status = r.status_code
                raise _Rollback
        except _Rollback:
            pass
        expected = mc.expected if isinstance(mc.expected, tuple) else (mc.expected,)
        if status not in expected:
            failures.append(f"{mc.persona:10} {mc.method:5} {mc.url} ({mc.note}): {status} != {mc.expected}")
    assert not failures, "\n".join(failures)
    assert len(cases) > 300
