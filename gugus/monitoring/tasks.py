"""Background tasks (django-tasks). In tests the immediate backend runs them inline."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_pending() -> int:
    """Apply queued refresh requests (kab/kota × month, or a whole region) to the store."""
    from .engine import process_pending

    return process_pending()


@task()
def rebuild() -> str:
    from .engine import rebuild_all

    return str(rebuild_all(note="tugas latar"))
