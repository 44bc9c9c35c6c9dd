"""Background work: receipts after a gift is recorded, and the year-end statement run. (Stripe events have their own
consumer: `manage.py stripe_process_events --loop`.)"""

from django_tasks import task


@task()
def receipt_issue_task(donation_id: int):
    from .models import Donation
    from .receipts import receipt_issue_for_donation

    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        return None
    receipt = receipt_issue_for_donation(donation=donation)
    return receipt.serial if receipt else None


@task()
def receipt_sync_task(donation_id: int):
    from .models import Donation
    from .receipts import receipt_sync_with_donation

    donation = Donation.objects.filter(pk=donation_id).first()
    receipt = receipt_sync_with_donation(donation=donation) if donation else None
    return receipt.serial if receipt else None


@task()
def annual_statements_task(run_id: int):
    from .statements import statement_run_execute

    statement_run_execute(run_id=run_id)
    return run_id


@task()
def receipt_email_task(receipt_id: int, attempt: int = 1):
    from portal.tasks import retry_later

    from .receipt_delivery import receipt_email_send

    try:
        return "sent" if receipt_email_send(receipt_id=receipt_id) else "already sent"
    except Exception as exc:
        if retry_later(receipt_email_task, attempt=attempt, max_attempts=8, error=exc, args=(receipt_id,)):
            return "retrying"
        raise
