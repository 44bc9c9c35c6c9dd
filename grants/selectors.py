"""Reads for rounds and applications: what the views and other apps show."""

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.models import Membership, Organisation
from applicants.selectors import member_organisation_ids
from portal.keyset import Key

from .forms_application import display_answer, localize_question, localize_questions, split_steps
from .models import (
    Application,
    ApplicationFormVersion,
    ApplicationMessage,
    ApplicationSubmission,
    EligibilityResponse,
    FundingRound,
    PrefillSource,
    QuestionKind,
)

S = Application.Status


def published_form(funding_round) -> ApplicationFormVersion | None:
    return funding_round.form_versions.order_by("-number").first()


def open_rounds():
    now = timezone.now()
    return (
        FundingRound.objects.filter(status=FundingRound.Status.OPEN, opens_at__lte=now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .select_related("fund")
    )


def application_deadline(application):
    """The round's deadline, or this application's individual extension if later. None for rolling rounds."""
    closes = application.round.closes_at
    if closes is None:
        return None
    extended = max((e.new_deadline for e in application.extensions.all()), default=None)
    return max(closes, extended) if extended else closes


def application_can_be_submitted_now(application, at=None) -> bool:
    at = at or timezone.now()
    if application.status == S.MORE_INFO:
        return True  # answering a request for information is not bound by the round's deadline
    rnd = application.round
    if rnd.status != FundingRound.Status.OPEN or at < rnd.opens_at:
        return False
    deadline = application_deadline(application)
    return deadline is None or at < deadline


def eligibility_failures(funding_round, answers: dict) -> list[str]:
    """Messages for every eligibility question answered the wrong way (or not at all)."""
    failures = []
    for question in funding_round.eligibility_questions.all():
        answer = answers.get(question.pk)
        if answer is None or answer != question.required_answer:
            failures.append(question.localized("ineligible_message"))
    return failures


def _normalised(text: str) -> str:
    return " ".join((text or "").split()).rstrip("?.: ").casefold()


def _profile_value(organisation, source: str):
    """The organisation profile's answer for a pre-fill source: a string, or a list of names for neighbourhoods."""
    if source == PrefillSource.NEIGHBOURHOODS:
        names = [n.name for n in organisation.service_areas.all()]
        if organisation.neighbourhood is not None and organisation.neighbourhood.name not in names:
            names.insert(0, organisation.neighbourhood.name)
        return names
    if source in (PrefillSource.PEER_LED, PrefillSource.CULTURALLY_SPECIFIC):
        return "yes" if getattr(organisation, source) else "no"
    value = getattr(organisation, source, None)
    return "" if value is None else str(value)


def _fit_answer(question: dict, value):
    """Shape a pre-fill value for the question's kind; None if it does not fit (e.g. a choice the form does not offer)."""
    kind = question["kind"]
    names = value if isinstance(value, list) else ([value] if value else [])
    if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.SINGLE_CHOICE):
        by_name = {_normalised(choice): choice for choice in question.get("choices") or []}
        matches = [by_name[_normalised(name)] for name in names if _normalised(name) in by_name]
        if kind == QuestionKind.MULTIPLE_CHOICE:
            return matches or None
        return matches[0] if matches else None
    if kind == QuestionKind.YES_NO:
        return value if value in ("yes", "no") else None
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.NUMBER, QuestionKind.MONEY):
        text = ", ".join(names)
        return text or None
    return None


def application_prefill(*, questions: list[dict], organisation, eligibility: dict | None = None) -> dict:
    """Answers to start an application with: from the organisation profile (questions with a pre-fill source) and
    from the eligibility check (yes/no questions worded like an eligibility question; `eligibility` maps the
    normalised wording of each eligibility question to "yes" or "no")."""
    eligibility = {_normalised(text): answer for text, answer in (eligibility or {}).items()}
    answers = {}
    for question in questions:
        value = None
        if question.get("prefill"):
            value = _fit_answer(question, _profile_value(organisation, question["prefill"]))
        if value is None and question["kind"] == QuestionKind.YES_NO:
            value = eligibility.get(_normalised(question["label"]))
        if value is not None:
            answers[question["key"]] = value
    return answers


def eligibility_answers_by_text(funding_round, answers: dict) -> dict:
    """{question wording: "yes"/"no"} for answers keyed by eligibility question id (ids may be ints or strings)."""
    by_id = {str(pk): answer for pk, answer in (answers or {}).items()}
    return {
        q.text: by_id[str(q.pk)]
        for q in funding_round.eligibility_questions.all()
        if by_id.get(str(q.pk)) in ("yes", "no")
    }


def eligibility_response(user, funding_round):
    if not user.is_authenticated:
        return None
    return EligibilityResponse.objects.filter(user=user, round=funding_round).first()


def applications_for_user(user):
    """The user's organisations' applications, newest activity first, for the dashboard's table: what a row shows
    (title, reference, status, round, organisation, message count), without the answers and form snapshots."""
    return (
        Application.objects.filter(organisation_id__in=member_organisation_ids(user))
        .select_related("round", "organisation")
        .only(
            "title",
            "reference",
            "status",
            "updated_at",
            "round__title",
            "organisation__legal_name",
            "organisation__operating_name",
        )
        .annotate(message_count=Count("messages", filter=Q(messages__internal=False)))
        .order_by("-updated_at")
    )


def application_for_member(user, pk):
    """The application if the user belongs to its organisation, else None (callers answer 404)."""
    return (
        Application.objects.filter(pk=pk, organisation__memberships__user=user)
        .select_related("round", "round__fund", "organisation")
        .first()
    )


def steps_for(application, language=None) -> list[dict]:
    """The form's steps, its questions in `language` (default: the active one) where staff translated them."""
    return split_steps(localize_questions(application.form_snapshot.get("questions", []), language))


def attachments_by_key(application) -> dict:
    grouped = {}
    for attachment in application.attachments.all():
        grouped.setdefault(attachment.question_key, []).append(attachment)
    return grouped


def visible_messages(application, user):
    from portal.roles import is_program_staff

    qs = ApplicationMessage.objects.filter(application=application).select_related("author")
    if not is_program_staff(user):
        qs = qs.filter(internal=False)
    return qs


NEXT_STEPS = {
    S.DRAFT.value: gettext_lazy("Finish your answers and submit before the deadline."),
    S.SUBMITTED.value: gettext_lazy("Nothing for now: we are checking your application."),
    S.MORE_INFO.value: gettext_lazy("We need more information: read our message, update your answers and resubmit."),
    S.IN_REVIEW.value: gettext_lazy("Nothing for now: our review panel is reading your application."),
    S.APPROVED.value: gettext_lazy(
        "Congratulations! Read the decision below: your grant offer follows, to accept online."
    ),
    S.WAITLISTED.value: gettext_lazy(
        "Nothing for now: you are on the waiting list and we will write if money becomes available."
    ),
    S.DECLINED.value: gettext_lazy("Nothing: this application was not funded. The reasons are below and in our email."),
    S.WITHDRAWN.value: gettext_lazy("Nothing: you withdrew this application."),
}
PLAIN_STATUSES = {
    S.DRAFT.value: gettext_lazy("Draft: not sent yet"),
    S.SUBMITTED.value: gettext_lazy("Submitted: we are checking it"),
    S.MORE_INFO.value: gettext_lazy("We need more information from you"),
    S.IN_REVIEW.value: gettext_lazy("Being reviewed by our panel"),
    S.APPROVED.value: gettext_lazy("Approved"),
    S.WAITLISTED.value: gettext_lazy("On the waiting list"),
    S.DECLINED.value: gettext_lazy("Not funded"),
    S.WITHDRAWN.value: gettext_lazy("Withdrawn"),
}


def next_step_for(application) -> str:
    """What we need from the applicant next, in plain words (one translation looked up, not one per status)."""
    text = NEXT_STEPS.get(application.status)
    return str(text) if text is not None else ""


def plain_status(application) -> str:
    text = PLAIN_STATUSES.get(application.status)
    return str(text) if text is not None else application.get_status_display()


def answer_rows(
    form_snapshot: dict, answers: dict, attachments=None, requested_amount=None, language="en"
) -> list[dict]:
    """(section/question label, plain text answer) for display, in form order; hidden conditional questions skipped.

    Labels and choices are in `language` (an application's own language keeps its questions as the applicant read
    them); each row also carries the English label (`original_label`) so staff can read both.
    A budget answer also carries its total and, given the amount requested, the difference from it."""
    from .forms_application import budget_summary, is_visible

    rows = []
    attachments = attachments or {}
    for q in form_snapshot.get("questions", []):
        q = localize_question(q, language)
        if q["kind"] == "section":
            rows.append({"section": q["label"], "original_label": q["original_label"]})
            continue
        if not is_visible(q, answers):
            continue
        value = answers.get(q["key"])
        if q["kind"] == "file":
            value = [
                {"name": a["name"] if isinstance(a, dict) else a.original_name} for a in attachments.get(q["key"], [])
            ]
        row = {
            "question": q,
            "label": q["label"],
            "original_label": q["original_label"],
            "translated": q["label"] != q["original_label"],
            "text": display_answer(q, value),
            "value": value,
        }
        if q["kind"] == "budget" and value:
            row["budget"] = budget_summary(value, requested_amount)
        rows.append(row)
    return rows


def last_two_submissions(application) -> list:
    return list(application.submissions.order_by("-number")[:2])


def submission_diff(application, subs=None) -> list[dict]:
    """Answers that changed between the last two submissions (for staff after a request for more information)."""
    subs = last_two_submissions(application) if subs is None else subs
    if len(subs) < 2:
        return []
    new, old = subs[0], subs[1]
    questions = {q["key"]: q for q in old.form_snapshot.get("questions", [])}
    questions.update({q["key"]: q for q in new.form_snapshot.get("questions", [])})
    changes = []
    for label, before, after in [
        (_("Project title"), old.title, new.title),
        (_("Project summary"), old.summary, new.summary),
        (_("Amount requested"), str(old.requested_amount or ""), str(new.requested_amount or "")),
    ]:
        if before != after:
            changes.append({"label": label, "before": before, "after": after})
    for key, q in questions.items():
        if q["kind"] in ("section", "file"):
            continue
        before = display_answer(q, old.answers.get(key))
        after = display_answer(q, new.answers.get(key))
        if before != after:
            changes.append({"label": q["label"], "before": before, "after": after})
    return changes


def staff_applications(
    *,
    round_id=None,
    status=None,
    min_amount=None,
    max_amount=None,
    neighbourhood_id=None,
    org_type=None,
    search="",
    order="-submitted_at",
):
    """The staff listing: one query for the page whatever the number of rows (everything shown is joined)."""
    # Rounds are few and heavy to build (ClusterableModel): join only the two columns the listing shows.
    qs = Application.objects.select_related("organisation", "organisation__neighbourhood").annotate(
        round_title=F("round__title"), round_currency=F("round__fund__currency")
    )
    if round_id:
        qs = qs.filter(round_id=round_id)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=S.DRAFT)
    if min_amount is not None:
        qs = qs.filter(requested_amount__gte=min_amount)
    if max_amount is not None:
        qs = qs.filter(requested_amount__lte=max_amount)
    if neighbourhood_id:
        qs = qs.filter(organisation__neighbourhood_id=neighbourhood_id)
    if org_type:
        qs = qs.filter(organisation__org_type=org_type)
    if search:
        # A selective search (the usual case) is resolved to its ids first: filtered by a short literal id list,
        # the page is a handful of primary-key lookups. Left as a subquery, the planner may instead walk the sort
        # index and test every row against it, which grows with the table. A broad search stays a subquery.
        ids = list(_search_ids(search).values_list("pk", flat=True)[: SEARCH_IDS_CAP + 1])
        qs = qs.filter(pk__in=ids if len(ids) <= SEARCH_IDS_CAP else _search_ids(search))
    return qs.order_by(order, "-pk")


SEARCH_IDS_CAP = 500


def _search_ids(search):
    """Ids of the applications whose reference or title, or whose organisation's legal name, operating name or
    registration number, contains `search` (any case).

    Two branches joined by UNION rather than one OR across the join: an OR spanning two tables can only be checked
    row by row, while each branch here is served by the trigram indexes of migration 0006 on PostgreSQL, so a
    selective search costs the same at 200 or 20,000 applications."""
    own = Application.objects.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    organisations = Organisation.objects.filter(
        Q(legal_name__icontains=search) | Q(operating_name__icontains=search) | Q(registration_number__icontains=search)
    )
    by_organisation = Application.objects.filter(organisation__in=organisations.order_by().values("pk"))
    return own.order_by().values("pk").union(by_organisation.order_by().values("pk"))


NULLABLE_ORDER_FIELDS = {"submitted_at", "requested_amount", "reference"}


def staff_application_keys(order="-submitted_at") -> list[Key]:
    """The listing's order as keyset keys (portal.keyset): the chosen column, then the newest row first on ties."""
    field = order.lstrip("-")
    return [Key(field, descending=order.startswith("-"), nullable=field in NULLABLE_ORDER_FIELDS), Key("pk", True)]


def staff_application_detail(pk):
    return (
        Application.objects.select_related(
            "round", "round__fund", "organisation", "organisation__neighbourhood", "created_by"
        )
        .prefetch_related("extensions")
        .filter(pk=pk)
        .first()
    )


def organisation_contact_emails(organisation) -> list[str]:
    emails = list(Membership.objects.filter(organisation=organisation).values_list("user__email", flat=True))
    if organisation.email and organisation.email not in emails:
        emails.append(organisation.email)
    return emails


def latest_submission(application) -> ApplicationSubmission | None:
    return application.submissions.order_by("-number").first()
