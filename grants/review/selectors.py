"""Reads: a reviewer's work, per-application results, the round ranking (aggregated in SQL), the conflict register."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Prefetch,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from grants.forms_application import choice_label, localize_question
from grants.models import Application
from grants.models import QuestionKind as K
from portal import keyset
from portal.keyset import Key
from portal.money import ZERO, money
from portal.sanitize import rich_text_to_text

from . import scoring
from .blind import NO_REDACTION, neutral_attachment_name
from .models import ApplicationScore, Assignment, ConflictDeclaration, RankingTotals, Review, ReviewScore

UNDECIDED_STATUSES = [Application.Status.IN_REVIEW, Application.Status.WAITLISTED]


# --- reviewer ---------------------------------------------------------------------------------------------------------


def reviewer_assignments(user):
    """The signed-in reviewer's assignments on panels they are still on (recusals included, so they see them listed),
    soonest due first. The organisations' people come along for blind-review redaction (blind.redactors_for_list)."""
    return (
        Assignment.objects.filter(member__user=user, member__removed_at__isnull=True)
        .select_related(
            "application__round", "application__organisation", "member__panel", "conflict_declaration", "review"
        )
        .prefetch_related("application__organisation__memberships__user")
        .order_by("status", "due_at", "pk")
    )


def reviewer_progress(assignments) -> dict:
    total = len([a for a in assignments if a.status != Assignment.Status.RECUSED])
    done = len([a for a in assignments if a.status == Assignment.Status.COMPLETED])
    return {"total": total, "done": done, "percent": int(done * 100 / total) if total else 0}


# --- statistics -------------------------------------------------------------------------------------------------------


def reviewer_stats_for_round(round) -> dict:
    """{member_id: ReviewerStats} over each member's submitted reviews in the round: one grouped query."""
    score = F("weighted_score")
    rows = (
        Review.objects.filter(member__panel__round=round, status=Review.Status.SUBMITTED, weighted_score__isnull=False)
        .values("member_id")
        .annotate(
            n=Count("pk"),
            total=Sum("weighted_score"),
            squares=Sum(ExpressionWrapper(score * score, output_field=DecimalField(max_digits=12, decimal_places=4))),
        )
        .order_by()
    )
    return {row["member_id"]: scoring.stats_from_sums(row["n"], row["total"], row["squares"]) for row in rows}


def _z_expression(stats_by_member, prefix="reviews__"):
    """SQL for one review's z-score: score × (1/std) − mean/std for informative reviewers, else 0.
    `prefix` is the path from the queried model to Review ("" when querying reviews)."""
    whens = []
    for member_id, stats in sorted(stats_by_member.items()):
        if not stats.informative:
            continue
        slope = float(1 / stats.std)
        offset = float(stats.mean / stats.std)
        whens.append(
            When(**{f"{prefix}member_id": member_id}, then=F(f"{prefix}weighted_score") * Value(slope) - Value(offset))
        )
    if not whens:
        return Value(0.0, output_field=FloatField())
    return Case(*whens, default=Value(0.0), output_field=FloatField())


# --- ranking ----------------------------------------------------------------------------------------------------------

SORTS = {
    "raw": [F("sort_mean").desc(), F("sort_normalised").desc(), F("application")],
    "normalised": [F("sort_normalised").desc(), F("sort_mean").desc(), F("application")],
}


def round_remaining_budget(round) -> Decimal:
    """Budget − committed. Prefers fund.selectors.round_budget, then the awards app's round commitment counter
    (kept in step with the ledger), else budget − the amounts requested by approved applications."""
    try:
        from fund.selectors import round_budget  # type: ignore[attr-defined]
    except ImportError:
        round_budget = None
    if round_budget is not None:
        result = round_budget(round)
        remaining = result.get("remaining") if isinstance(result, dict) else getattr(result, "remaining", None)
        if remaining is not None:
            return money(remaining)
    try:
        commitment = round.commitment  # the awards app's counter, kept in step with the ledger
    except ObjectDoesNotExist:
        return money(round.budget)
    except AttributeError:
        commitment = None
    if commitment is not None:
        return money(round.budget - commitment.committed)
    committed = (
        Application.objects.filter(round=round, status=Application.Status.APPROVED).aggregate(
            total=Sum("requested_amount")
        )["total"]
        or ZERO
    )
    return money(round.budget - committed)


def ranking(round, *, sort="raw"):
    """The round's ranked results (ApplicationScore rows, kept by results.scores_refresh) in ranking order, with the
    cumulative requested amount of undecided applications (the funding line) and the number of rows.

    Reads in index order (see ApplicationScore.Meta.indexes) and stops after the page: no aggregation over reviews and
    no full sort at request time. Applications without reviewers (e.g. declined at screening) are not ranked."""
    ordering = SORTS.get(sort, SORTS["raw"])
    undecided_amount = Case(
        When(application__status__in=UNDECIDED_STATUSES, then=Coalesce("application__requested_amount", Value(ZERO))),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    # Every application that has had reviewers, whatever its status now (a withdrawn one shows as withdrawn and is
    # outside the funding line): the count then needs no join.
    ranked = ApplicationScore.objects.filter(round=round)
    total = ranked.order_by().values("round").annotate(n=Count("pk")).values("n")
    return ranked.annotate(
        cumulative_requested=Window(Sum(undecided_amount), order_by=ordering),
        total_rows=Subquery(total, output_field=IntegerField()),
    ).order_by(*ordering)


RANK_KEYS = {
    "raw": [Key("sort_mean", descending=True), Key("sort_normalised", descending=True), Key("application_id")],
    "normalised": [Key("sort_normalised", descending=True), Key("sort_mean", descending=True), Key("application_id")],
}
SCORE_FIELDS = (
    "mean_score",
    "normalised_score",
    "max_score",
    "min_score",
    "submitted_reviews",
    "fund_count",
    "maybe_count",
    "no_count",
)


def _undecided_amount():
    return Case(
        When(application__status__in=UNDECIDED_STATUSES, then=Coalesce("application__requested_amount", Value(ZERO))),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def ranking_page(round, *, sort="raw", params, per_page):
    """One page of the round's ranking by keyset (portal.keyset): the rows are read in index order from the cursor
    (see ApplicationScore.Meta.indexes), never skipped by OFFSET and never counted whole. Returns (page, first rank):
    the page's object_list holds Application objects carrying the ranking figures and `cumulative_requested`.

    The running total of undecided requests (the funding line) and the rank need the rows before the page. On page 1
    there are none. A page reached forwards (a ?after= cursor) counts and sums the rows before its first row; a page
    reached from the end (?last=1, a ?before= cursor) takes the round's totals (RankingTotals, kept by triggers) minus
    the rows from its first row to the end, so the last pages read a page's worth of rows, not the whole round. Either
    way the figures come with the applications' query as uncorrelated subqueries (evaluated once): no extra round
    trip, and the cost grows with the distance from the end the user came from, not with the round."""
    keys = RANK_KEYS.get(sort, RANK_KEYS["raw"])
    scores = ApplicationScore.objects.filter(round=round)
    rows = scores.values("application_id", "sort_mean", "sort_normalised", *SCORE_FIELDS).annotate(
        undecided=_undecided_amount()
    )
    page = keyset.paginate(rows, keys, params, per_page=per_page)
    first = page.first_key_values()
    amount = DecimalField(max_digits=16, decimal_places=2)
    figures = {}
    if first is not None and not page.is_first:
        side = keyset.beyond(keys, first, forward=page.from_end, using=scores.db)
        around = scores.filter(side).order_by().values("round")  # before the first row, or after it (from the end)
        figures = {
            "rows_around": Subquery(around.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            "amount_around": Subquery(
                around.annotate(total=Sum(_undecided_amount())).values("total"), output_field=amount
            ),
        }
        if page.from_end:
            totals = RankingTotals.objects.filter(round=round)
            figures["round_rows"] = Subquery(totals.values("applications"), output_field=IntegerField())
            figures["round_amount"] = Subquery(totals.values("undecided_amount"), output_field=amount)
    rows = page.object_list
    applications = _with_applications(rows, annotations=figures)
    before, running = 0, ZERO
    if applications and figures:
        head = applications[0]
        rows_around, amount_around = head.rows_around or 0, head.amount_around or ZERO
        if not page.from_end:
            before, running = rows_around, amount_around
        elif head.round_rows is not None:
            # Everything before the first row = the round − the first row − the rows after it.
            before = head.round_rows - rows_around - 1
            running = (head.round_amount or ZERO) - amount_around - rows[0]["undecided"]
        else:  # no totals row (cannot happen while the triggers exist): count the rows before, as a page reached forwards
            earlier = scores.filter(keyset.beyond(keys, first, forward=False, using=scores.db)).order_by()
            prefix = earlier.aggregate(n=Count("pk"), total=Sum(_undecided_amount()))
            before, running = prefix["n"], prefix["total"] or ZERO
    for application, row in zip(applications, rows):
        running += row["undecided"]
        application.cumulative_requested = running
    page.object_list = applications
    return page, before + 1


RANK_FIELDS = (*SCORE_FIELDS, "cumulative_requested", "total_rows")


def ranking_slice(queryset, start, stop) -> list:
    """Rows start..stop of `ranking()` as Application objects carrying the ranking figures (two queries)."""
    return _with_applications(list(queryset.values("application_id", *RANK_FIELDS)[start:stop]))


def _with_applications(rows, annotations=None) -> list:
    """Ranking rows (dicts) as Application objects carrying their figures (and `annotations`): one query."""
    applications = (
        Application.objects.select_related("organisation")
        .annotate(**(annotations or {}))
        .only(
            "reference",
            "title",
            "status",
            "requested_amount",
            "round_id",
            "organisation__legal_name",
            "organisation__operating_name",
        )
        .in_bulk([row["application_id"] for row in rows])
    )
    result = []
    for row in rows:
        application = applications[row["application_id"]]
        for field in RANK_FIELDS:
            setattr(application, field, row.get(field))
        result.append(application)
    return result


@dataclass
class RankingRow:
    application: Application
    mean: Decimal | None
    normalised: Decimal | None
    spread: Decimal | None
    disagreement: bool
    reviews: int
    recommendations: dict
    cumulative: Decimal
    fundable: bool
    undecided: bool


def ranking_rows(applications, *, threshold, remaining) -> list[RankingRow]:
    """Turn one page of `ranking()` into display rows (no queries)."""
    rows = []
    for app in applications:
        mean = scoring.mean([app.mean_score]) if app.mean_score is not None else None
        spread = None
        if app.max_score is not None:
            spread = (Decimal(str(app.max_score)) - Decimal(str(app.min_score))).quantize(scoring.SCORE_PLACES) + 0
        normalised = None
        if app.normalised_score is not None:
            normalised = (
                Decimal(str(app.normalised_score)).quantize(scoring.Z_PLACES) + 0
            )  # + 0 turns −0.000 into 0.000
        cumulative = money(app.cumulative_requested or 0)
        undecided = app.status in UNDECIDED_STATUSES
        rows.append(
            RankingRow(
                application=app,
                mean=mean,
                normalised=normalised,
                spread=spread,
                disagreement=scoring.is_disagreement(spread, threshold),
                reviews=app.submitted_reviews,
                recommendations={"fund": app.fund_count, "maybe": app.maybe_count, "do_not_fund": app.no_count},
                cumulative=cumulative,
                fundable=undecided and cumulative <= remaining,
                undecided=undecided,
            )
        )
    return rows


# --- one application --------------------------------------------------------------------------------------------------


def application_reviews(application):
    return (
        Review.objects.filter(application=application)
        .select_related("member__user", "assignment", "rubric")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=ReviewScore.objects.select_related("criterion").order_by("criterion__order", "criterion__pk"),
            )
        )
        .order_by("member__kind", "pk")
    )


def application_results(application, *, stats=None):
    """Each submitted review's score and z-score, and the application's mean, normalised score, spread, counts."""
    panel = application.round.panel
    stats = reviewer_stats_for_round(application.round) if stats is None else stats
    reviews = [r for r in application_reviews(application) if r.status == Review.Status.SUBMITTED]
    result = scoring.application_result(
        [(r.member_id, r.weighted_score, r.recommendation) for r in reviews],
        {r.member_id: stats.get(r.member_id, scoring.ReviewerStats(0, ZERO, ZERO)) for r in reviews},
        panel.disagreement_threshold,
    )
    return reviews, result


def approved_feedback(application) -> list[str]:
    """Reviewers' feedback that staff approved for the applicant: text only, never who wrote it."""
    return list(
        Review.objects.filter(application=application, status=Review.Status.SUBMITTED, feedback_approved_by_staff=True)
        .exclude(feedback_to_applicant="")
        .order_by("pk")
        .values_list("feedback_to_applicant", flat=True)
    )


def conflict_register(*, round=None):
    qs = ConflictDeclaration.objects.filter(has_conflict=True).select_related(
        "member__user", "member__panel__round", "organisation", "assignment__application"
    )
    if round is not None:
        qs = qs.filter(member__panel__round=round)
    return qs.order_by("-declared_at", "-pk")


# --- what a reviewer sees ---------------------------------------------------------------------------------------------

IDENTIFYING_FLAGS = ("identifying", "is_identifying")
_yes, _no = gettext_lazy("Yes"), gettext_lazy("No")


def _plain(value) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, bool):
        return str(_yes) if value else str(_no)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return "\n".join(" · ".join(str(x) for x in v.values() if x not in (None, "")) for v in value)
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def review_answer_rows(application, *, blind: bool, redact=None) -> list[dict]:
    """The application's answers in form order, read-only, as plain text. Blind review leaves out questions the form
    marks as identifying, and `redact` (blind.Redactor) hides the organisation wherever an answer names it."""
    redact = redact or NO_REDACTION

    snapshot = application.form_snapshot or {}
    questions = snapshot.get("questions", []) if isinstance(snapshot, dict) else snapshot
    answers = application.answers or {}
    rows = []
    for q in questions or []:
        if not isinstance(q, dict):
            continue
        kind = q.get("kind") or q.get("type") or ""
        # In the reviewer's language when staff translated the question, with the English words beside it.
        localized = localize_question(q, None) if q.get("label") else {"label": q.get("title") or ""}
        label = localized["label"]
        original = localized["original_label"] if localized.get("translated") else ""
        if kind == "section":
            rows.append({"section": label, "original_label": original})
            continue
        if blind and any(q.get(flag) for flag in IDENTIFYING_FLAGS):
            continue
        key = q.get("key") or q.get("id")
        if kind == "file":
            continue  # files are listed with the attachments
        value = answers.get(key)
        if kind == "rich_text" and isinstance(value, str):
            # Shown as formatted text (the template cleans it again on the way out); `text` stays plain.
            rows.append(
                {
                    "label": label,
                    "original_label": original,
                    "text": redact(rich_text_to_text(value)),
                    "html": redact.html(value),
                }
            )
            continue
        if kind == "yes_no" and value in ("yes", "no"):
            value = _yes if value == "yes" else _no
        elif kind == K.SINGLE_CHOICE and isinstance(value, str) and "choice_labels" in localized:
            value = choice_label(localized, value)
        elif kind == K.MULTIPLE_CHOICE and isinstance(value, list) and "choice_labels" in localized:
            value = [choice_label(localized, item) for item in value]
        rows.append({"label": label, "original_label": original, "text": redact(_plain(value))})
    return rows


def _identifying_keys(application) -> set:
    snapshot = application.form_snapshot or {}
    questions = snapshot.get("questions", []) if isinstance(snapshot, dict) else snapshot
    return {
        q.get("key") or q.get("id")
        for q in questions or []
        if isinstance(q, dict) and any(q.get(flag) for flag in IDENTIFYING_FLAGS)
    }


def review_attachments(application, *, blind: bool = False) -> list[tuple]:
    """[(attachment, name to show)]. Under blind review, files answering identifying questions are left out and the
    others are shown and downloaded under neutral names (their own names often carry the organisation's)."""
    attachments = list(application.attachments.all())
    if not blind:
        return [(a, a.original_name) for a in attachments]
    hidden = _identifying_keys(application)
    shown = [a for a in attachments if a.question_key not in hidden]
    return [(a, neutral_attachment_name(a, index)) for index, a in enumerate(shown, start=1)]
