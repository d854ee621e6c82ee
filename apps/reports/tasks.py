"""Thin Celery tasks for reports; they run on the ``reports`` queue (see config/celery.py).

Beat: schedule ``apps.reports.tasks.purge_expired_reports`` (e.g. hourly) to delete files
older than ``REPORT_FILE_HOURS`` (24 by default) and fail the jobs the outbox gave up on.
"""

from __future__ import annotations

from celery import Task, shared_task

from apps.core import outbox
from apps.reports import services

# Large reports take a while; the hard limit stays below services.STALE_CLAIM so a job is
# only ever taken over from a worker that is really gone.
REPORT_SOFT_TIME_LIMIT = 25 * 60
REPORT_TIME_LIMIT = 30 * 60


@shared_task(
    bind=True,
    name="apps.reports.tasks.run_report_job",
    soft_time_limit=REPORT_SOFT_TIME_LIMIT,
    time_limit=REPORT_TIME_LIMIT,
)
def run_report_job(self: Task, job_id: int) -> None:
    # Under the outbox's lease, a job still "running" is one an earlier attempt left (its
    # worker died, or an error escaped before the job was marked): build it now.
    services.report_job_run(job_id=job_id, take_over=outbox.leased(self.request))


# A stuck purge (a slow disk or storage) must not hold a reports worker forever; what it did
# not reach is expired by the next day's run. It also fails the jobs the outbox gave up on.
@shared_task(name="apps.reports.tasks.purge_expired_reports", soft_time_limit=240, time_limit=300)
def purge_expired_reports() -> int:
    services.report_jobs_given_up()
    return services.report_jobs_expire()
