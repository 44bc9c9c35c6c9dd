"""The staff home is a work queue: per role, what needs someone now, as counts with a link to the screen that does it.

Each item is one COUNT query, so the home page costs the same number of queries however much data there is
(tests/grants/test_workqueue.py asserts it). Program staff see the grant cycle; finance sees the payments.

Each item is a queryset counted up to CAP + 1 rows (shown as "1000+" beyond CAP, as the application list does), and
the review items read ReviewProgress (kept by triggers, see grants/review/models.py) through its indexes instead of
aggregating every assignment of every application in review: the page costs the same time however many applications
the fund has (bench/grant_lists.py, "work_queue").
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from grants.awards.models import Award, Disbursement, PaymentBatch
from grants.impact.models import ImpactReport
from grants.models import Application, FundingRound
from grants.review.models import Assignment, ReviewProgress
from portal.roles import is_finance, is_program_staff

PROGRAM, FINANCE = "program", "finance"
CAP = 1000  # counted up to this many (one more to know there are more)


@dataclass(frozen=True)
class WorkItem:
    key: str
    role: str
    label: object  # lazy text, shown with the count
    empty: object  # what the empty state says
    count: Callable  # (user) -> the queryset of what is waiting (counted up to CAP + 1)
    url: Callable  # () -> str


def _to_screen(user):
    return Application.objects.filter(status=Application.Status.SUBMITTED)


def _rounds_to_assign(user):
    """Rounds with an application in review that has fewer active reviewers than the round asks for: per round, one
    seek in review_progress_short (round, in review, active reviewers)."""
    short = ReviewProgress.objects.filter(
        round=OuterRef("pk"), in_review=True, active__lt=OuterRef("reviews_per_application")
    )
    return FundingRound.objects.filter(Exists(short))


def _reviews_overdue(user):
    now = timezone.now()
    return Assignment.objects.filter(
        status=Assignment.Status.ASSIGNED, application__status=Application.Status.IN_REVIEW
    ).filter(Q(due_at__lt=now) | Q(due_at__isnull=True, application__round__review_deadline__lt=now))


def _ready_to_decide(user):
    """In review, every assigned review in (none still assigned), at least one submitted: the partial index
    review_progress_ready holds exactly those."""
    return ReviewProgress.objects.filter(in_review=True, pending=0, completed__gt=0)


def _offers_to_send(user):
    return Award.objects.filter(status=Award.Status.PREPARED)


def _offers_awaiting(user):
    return Award.objects.filter(status=Award.Status.OFFERED)


def _reports_to_review(user):
    return ImpactReport.objects.filter(status=ImpactReport.Status.SUBMITTED)


def _reports_overdue(user):
    return ImpactReport.objects.overdue()


def _payments_to_approve(user):
    """Prepared by someone else: the four-eyes rule means this user may approve them."""
    return Disbursement.objects.filter(status=Disbursement.Status.PENDING).exclude(prepared_by=user)


def _payments_to_batch(user):
    return Disbursement.objects.filter(status=Disbursement.Status.APPROVED, batch__isnull=True)


def _batches_to_confirm(user):
    return PaymentBatch.objects.filter(status=PaymentBatch.Status.EXPORTED)


ITEMS = [
    WorkItem(
        "screen",
        PROGRAM,
        _("Applications to screen"),
        _("No application is waiting to be screened."),
        _to_screen,
        lambda: reverse("grants_admin:application_list") + "?status=submitted",
    ),
    WorkItem(
        "assign",
        PROGRAM,
        _("Rounds needing reviewers assigned"),
        _("Every application in review has its reviewers."),
        _rounds_to_assign,
        lambda: reverse("review_admin:index"),
    ),
    WorkItem(
        "reviews_overdue",
        PROGRAM,
        _("Reviews overdue"),
        _("No review is overdue."),
        _reviews_overdue,
        lambda: reverse("review_admin:index"),
    ),
    WorkItem(
        "decide",
        PROGRAM,
        _("Applications with every review in and no decision"),
        _("No application is waiting for a decision."),
        _ready_to_decide,
        lambda: reverse("review_admin:index"),
    ),
    WorkItem(
        "offers_to_send",
        PROGRAM,
        _("Offers prepared, not yet sent"),
        _("No offer is waiting to be sent."),
        _offers_to_send,
        lambda: reverse("awards_admin:offer_send_batch"),
    ),
    WorkItem(
        "offers_awaiting",
        PROGRAM,
        _("Offers awaiting acceptance"),
        _("No offer is waiting for the grantee."),
        _offers_awaiting,
        lambda: reverse("awards_admin:award_list") + "?status=offered",
    ),
    WorkItem(
        "reports_to_review",
        PROGRAM,
        _("Impact reports to review"),
        _("No report is waiting for review."),
        _reports_to_review,
        lambda: reverse("impact_admin:report_list"),
    ),
    WorkItem(
        "reports_overdue",
        PROGRAM,
        _("Overdue impact reports"),
        _("No report is overdue."),
        _reports_overdue,
        lambda: reverse("impact_admin:report_list") + "?status=overdue",
    ),
    WorkItem(
        "payments_to_approve",
        FINANCE,
        _("Payments awaiting my approval"),
        _("No payment is waiting for your approval."),
        _payments_to_approve,
        lambda: reverse("awards_admin:disbursement_list") + "?status=pending",
    ),
    WorkItem(
        "payments_to_batch",
        FINANCE,
        _("Approved payments to put in a payment file"),
        _("No approved payment is waiting for a payment file."),
        _payments_to_batch,
        lambda: reverse("awards_admin:batch_list"),
    ),
    WorkItem(
        "batches_to_confirm",
        FINANCE,
        _("Payment files waiting for the bank's confirmation"),
        _("No payment file is waiting for the bank."),
        _batches_to_confirm,
        lambda: reverse("awards_admin:batch_list"),
    ),
]


def work_queue(user) -> list[dict]:
    """The items for this user's roles, each with its count, link and empty-state text."""
    roles = {PROGRAM} if is_program_staff(user) else set()
    if is_finance(user):
        roles.add(FINANCE)
    items = []
    for item in ITEMS:
        if item.role not in roles:
            continue
        count = item.count(user).order_by()[: CAP + 1].count()  # COUNT over a LIMIT: never more than CAP + 1 rows
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "empty": item.empty,
                "count": min(count, CAP),
                "more": count > CAP,
                "url": item.url(),
            }
        )
    return items


class WorkQueuePanel(Component):
    """The first panel of the Wagtail admin home for program staff and finance."""

    name = "work_queue"
    order = 10
    template_name = "grants/admin/work_queue.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        items = work_queue(self.request.user)
        return {"items": items, "waiting": sum(i["count"] for i in items)}
