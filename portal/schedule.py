"""Every periodic job, in one list. Adding a job is one line: a management command (with its arguments) or a task.

`cron` is APScheduler's CronTrigger fields, in the fund's time zone (TIME_ZONE). The scheduler process
(`manage.py run_scheduler`, portal/scheduler.py) enqueues each job as a background task once per slot, however
many schedulers run; the task worker runs it. `args` may be a function of the slot (a datetime in the fund's zone).
`alert=True` emails staff (STAFF_NOTIFICATION_EMAIL) when the job fails.
"""

from django.utils.translation import gettext_lazy as _

from .jobs import Job

JOBS = [
    Job("expire_award_offers", cron={"hour": 6, "minute": 0}, description=_("Expire award offers past their date")),
    Job("mark_overdue_reports", cron={"hour": 6, "minute": 10}, description=_("Mark overdue impact reports")),
    Job("send_report_reminders", cron={"hour": 9, "minute": 0}, description=_("Email impact report reminders")),
    Job(
        "send_review_reminders",
        cron={"hour": 9, "minute": 5},
        description=_("Email reviewers whose reviews are due or overdue"),
    ),
    Job("stripe_reconcile", cron={"minute": 20}, description=_("Record anything Stripe has that we missed")),
    Job(
        "ledger_check",
        cron={"hour": 2, "minute": 45},
        alert=True,
        description=_("Prove the ledger's invariants (staff are emailed on failure)"),
    ),
    Job(
        "apply_retention",
        cron={"hour": 3, "minute": 30},
        description=_("Delete old drafts and the answers and files of old declined or withdrawn applications"),
    ),
    Job(
        "issue_annual_statements",
        cron={"month": 1, "day": 6, "hour": 8, "minute": 0},
        args=lambda slot: ["--year", str(slot.year - 1)],
        description=_("Email last year's giving statements (each donor once)"),
    ),
]
