import datetime as dt

import pytest

from gugus.cases.models import Case, Identity
from gugus.cases.tests.helpers import make_nik, register


@pytest.mark.django_db
def test_register_smoke(personas):
    nik = make_nik(dt.date(2000, 5, 17), "female")
    case = register(personas.cw_a, nik=nik, phone="0812-3456-7890")
    assert case.case_number.startswith("3212-2026-")
    assert Identity.objects.get(victim=case.victim).nik == nik
    assert Case.objects.count() == 1
