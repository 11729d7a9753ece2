"""Two admissions race for the last bed of a shelter: exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from gugus.care import services
from gugus.care.models import ShelterStay

from .conftest import days

SQLITE_REASON = (
    "SQLite test database is in memory: threads cannot share it with real locking (shared-cache "
    "mode has table locks without busy waiting). On a SQLite file the IMMEDIATE transaction mode in "
    "settings serialises writers; PostgreSQL runs this test with SELECT ... FOR UPDATE."
)


@pytest.mark.skipif(
    connection.vendor == "sqlite" and not connection.settings_dict.get("TEST", {}).get("NAME"), reason=SQLITE_REASON
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_admissions_to_the_last_bed(personas, make_case):
    shelter = personas.orgs["rumah-aman-2171"]
    shelter.capacity = 2
    shelter.save(update_fields=["capacity"])
    first = make_case(personas.cw_batam)
    services.shelter_admit(actor=personas.cw_batam, case=first, shelter=shelter, admitted_on=days(3))
    racers = [make_case(personas.cw_batam) for _ in range(4)]
    barrier = threading.Barrier(len(racers))
    results: list = []
    lock = threading.Lock()

    def admit(case):
        try:
            barrier.wait(timeout=10)
            stay = services.shelter_admit(actor=personas.cw_batam, case=case, shelter=shelter, admitted_on=days(1))
            outcome = ("ok", stay.pk)
        except ValidationError as exc:
            outcome = ("full", exc.message_dict)
        except Exception as exc:  # noqa: BLE001 - report any other failure to the main thread
            outcome = ("error", repr(exc))
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=admit, args=(c,)) for c in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    kinds = sorted(r[0] for r in results)
    assert kinds == ["full", "full", "full", "ok"], results
    assert all("over_capacity_reason" in r[1] for r in results if r[0] == "full")
    assert ShelterStay.objects.filter(shelter=shelter, discharged_on__isnull=True).count() == 2
