"""Background work: the annual impact report PDF."""

from django_tasks import task


@task()
def annual_report_build_task(job_id: int):
    from .services import annual_report_build

    job = annual_report_build(job_id=job_id)
    return job.status if job else None
