"""Concurrent registrations never draw the same case number (PostgreSQL: real parallel
transactions; SQLite serialises writers, so the property holds trivially there)."""

import threading

import pytest
from django.db import connection, connections, transaction

from gugus.cases.models import CaseNumberCounter
from gugus.cases.services import _next_case_number


@pytest.mark.django_db(transaction=True, available_apps=["gugus.cases"])
def test_parallel_case_numbers_are_unique():
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel transactions (PostgreSQL)")
    n_threads, per_thread = 4, 5
    barrier = threading.Barrier(n_threads)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    number = _next_case_number("32.12", 2031)
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(numbers) == len(set(numbers)) == n_threads * per_thread
    assert sorted(numbers)[-1] == f"3212-2031-{n_threads * per_thread:06d}"
    assert CaseNumberCounter.objects.get(prefix="3212", year=2031).last == n_threads * per_thread
