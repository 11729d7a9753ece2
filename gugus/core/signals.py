"""Domain apps announce "a record of kind K in region R, period P changed"; monitoring listens.
Sent on commit, so listeners never see a rolled-back change. Keeps the arrows pointing down."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.dispatch import Signal

record_changed = Signal()  # kwargs: kind: str, region_code: str | None, date: date | None


def announce(kind: str, region_code: str | None, date: dt.date | None) -> None:
    transaction.on_commit(lambda: record_changed.send(sender=kind, kind=kind, region_code=region_code, date=date))
