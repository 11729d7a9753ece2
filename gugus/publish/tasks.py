"""Background tasks of the publish app (django-tasks; inline in tests)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def generate_report(job_id: str) -> str:
    return services.report_generate_run(job_id).status
