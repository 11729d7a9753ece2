"""Background tasks (django-tasks; run inline in tests). Each wraps a plain service function
that records its own outcome on the batch, so a failure never leaves a task silently broken."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def validate_import(batch_id: str) -> str:
    return services.import_validate_run(batch_id).status


@task()
def commit_import(batch_id: str, actor_id: int, mode: str) -> str:
    return services.import_commit_run(batch_id, actor_id, mode).status


@task()
def undo_import(batch_id: str, actor_id: int) -> str:
    return services.import_undo_run(batch_id, actor_id).status
