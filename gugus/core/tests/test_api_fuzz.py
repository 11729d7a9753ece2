"""API fuzzing: schemathesis over the whole OpenAPI document (/api/v1/openapi.json), in process
against the Django WSGI application, authenticated as a case worker with a bearer token.

Every operation gets a few generated requests (and the same with real ids of records the case
worker can see); no answer may be a server error (5xx) and every answer must match the schema
the document declares for it. Bounded: GUGUS_FUZZ_EXAMPLES (default: a budget of ~700 generated
requests spread over the operations, 2–8 each), no shrinking, no deadline. Each request runs in a
savepoint that is rolled back, so one request never changes what the next one sees.
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import transaction

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

BUDGET = 700
TIME_LIMIT_S = 80  # beyond this the test fails and names the operations it did not reach


def _examples(n_ops: int) -> int:
    if os.environ.get("GUGUS_FUZZ_EXAMPLES"):
        return int(os.environ["GUGUS_FUZZ_EXAMPLES"])
    return max(2, min(8, BUDGET // max(1, n_ops)))


def _seed(personas) -> dict:
    """A few records the case worker owns, so detail endpoints also see real ids."""
    import datetime as dt

    from gugus.cases.services import VictimData, victim_register

    cases = [
        victim_register(
            actor=personas.cw_a,
            data=VictimData(
                sex="female",
                identification_date=dt.date(2026, 3, 2),
                identification_channel="hotline",
                full_name=f"Korban Uji {i}",
                domicile_region="32.12",
                estimated_age=19 + i,
                exploitation_forms=["forced_labour_or_services"],
            ),
        )
        for i in range(2)
    ]
    return {"case": str(cases[0].pk), "victim": str(cases[0].victim_id)}


def _known_ids(operation, ids: dict) -> dict | None:
    """Path parameters filled with real ids where the name says what they are."""
    out = {}
    for param in operation.path_parameters:
        name = param.name.lower()
        if "case" in name:
            out[param.name] = ids["case"]
        elif "victim" in name:
            out[param.name] = ids["victim"]
    return out or None


@pytest.fixture
def keep_test_connection():
    """Requests reach the WSGI application directly, so Django's request signals fire; like the
    test client, keep them from closing the connection that holds the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_api_operation_survives_generated_requests(personas, keep_test_connection):
    from gugus.accounts.services import token_create
    from gugus.wsgi import application

    ids = _seed(personas)
    _, token = token_create(actor=personas.cw_a, user=personas.cw_a, name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    except Exception as exc:  # the document itself must load
        pytest.fail(f"GET /api/v1/openapi.json does not give a valid OpenAPI document: {type(exc).__name__}: {exc}")

    operations, invalid = [], []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as exc:  # noqa: BLE001 - an operation the document describes wrongly
            invalid.append(f"{type(exc).__name__}: {str(exc)[:300]}")
    assert not invalid, "operations the OpenAPI document describes invalidly:\n" + "\n".join(invalid)
    assert operations, "the OpenAPI document has no operations"
    n = _examples(len(operations))
    started = time.monotonic()
    failures: list[str] = []
    not_reached: list[str] = []
    requests = 0

    for operation in operations:
        if time.monotonic() - started > TIME_LIMIT_S:
            not_reached.append(operation.label)
            continue
        strategy = operation.as_strategy()
        real = _known_ids(operation, ids)
        if real:
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters=real))

        @settings(
            max_examples=n,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(case=strategy)
        def run(case):
            nonlocal requests
            sid = transaction.savepoint()
            try:
                requests += 1
                case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
            finally:
                transaction.savepoint_rollback(sid)
                transaction.set_rollback(False)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"--- {operation.label}\n{str(exc)[:1500]}")

    elapsed = time.monotonic() - started
    summary = f"{len(operations)} operations, {requests} requests, {n} generated examples each, {elapsed:.0f} s"
    assert not failures, f"{len(failures)} operation(s) failed ({summary}):\n" + "\n".join(failures)
    assert not not_reached, (
        f"time limit of {TIME_LIMIT_S} s reached ({summary}); not fuzzed: "
        + ", ".join(not_reached)
        + ". Lower GUGUS_FUZZ_EXAMPLES or speed the endpoints up."
    )
