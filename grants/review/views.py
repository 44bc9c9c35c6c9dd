"""The reviewer portal (not the Wagtail admin): my reviews, the conflict declaration, the scoring page.

Every view finds the assignment among the signed-in reviewer's own and answers 404 otherwise, so ids reveal nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import roles
from portal.downloads import download_response

from . import permissions, scoring, selectors, services
from .blind import redactor_for, redactors_for_list
from .forms import ConflictForm, RecuseForm, ReviewForm
from .models import Assignment, ConflictDeclaration, Review
from .rubrics import current_rubric


def _reviewer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not roles.is_reviewer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _own_assignment(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "application__round__fund",
            "application__organisation",
            "member__panel",
            "member__user",
        ),
        pk=pk,
        member__user=request.user,
    )
    allowed, _reason = permissions.can_open_assignment(request.user, assignment)
    if not allowed:
        raise Http404
    return assignment


def _declaration(assignment):
    try:
        return assignment.conflict_declaration
    except ConflictDeclaration.DoesNotExist:
        return None


@_reviewer_required
def my_reviews(request):
    assignments = list(selectors.reviewer_assignments(request.user))
    blind = [a.application for a in assignments if a.member.panel.blind_review]
    redactors = redactors_for_list(blind)
    for assignment in assignments:
        redact = redactors.get(assignment.application_id)
        title = assignment.application.title
        assignment.display_title = redact(title) if redact else title
    return render(
        request,
        "review/my_reviews.html",
        {
            "assignments": assignments,
            "progress": selectors.reviewer_progress(assignments),
            "page_title": _("My reviews"),
        },
    )


@_reviewer_required
@require_http_methods(["GET", "POST"])
def declare(request, pk):
    assignment = _own_assignment(request, pk)
    if _declaration(assignment) is not None:
        return redirect("review:score", pk=assignment.pk)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                assignment=assignment,
                has_conflict=form.cleaned_data["has_conflict"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
            return redirect("review:my_reviews")
        else:
            declaration = _declaration(assignment)
            if declaration is not None and declaration.has_conflict and not form.cleaned_data["has_conflict"]:
                messages.warning(
                    request,
                    _(
                        "Our records show a conflict of interest with this applicant, so you cannot review it. "
                        "It has been passed to another reviewer."
                    ),
                )
                return redirect("review:my_reviews")
            if form.cleaned_data["has_conflict"]:
                messages.success(
                    request,
                    _("Thank you. You are recused from this application and it has been passed to another reviewer."),
                )
                return redirect("review:my_reviews")
            messages.success(request, _("Thank you. You can now read and score the application."))
            return redirect("review:score", pk=assignment.pk)
    return render(
        request,
        "review/declare.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "blind": assignment.member.panel.blind_review,
            "form": form,
            "page_title": _("Conflict of interest"),
        },
    )


@_reviewer_required
@require_http_methods(["GET", "POST"])
def score(request, pk):
    assignment = _own_assignment(request, pk)
    if _declaration(assignment) is None:
        return redirect("review:declare", pk=assignment.pk)
    allowed, _reason = permissions.can_see_application(request.user, assignment)
    if not allowed:
        raise Http404
    application = assignment.application
    review = (
        Review.objects.filter(assignment=assignment)
        .select_related("rubric")
        .prefetch_related("scores__criterion", "rubric__criteria")
        .first()
    )
    locked = review is not None and review.is_submitted
    # A submitted review is shown against the version it was given on; anything else is scored on the current one.
    rubric = review.rubric if locked else current_rubric(application.round)
    if rubric is None:
        messages.warning(request, _("The rubric for this round is not ready yet. Please come back later."))
        return redirect("review:my_reviews")
    criteria = list(rubric.criteria.all())
    form = ReviewForm(
        request.POST or None, criteria=criteria, rubric=rubric, initial=ReviewForm.initial_from(review, criteria)
    )
    if request.method == "POST" and not locked and form.is_valid():
        submit = "submit" in request.POST
        try:
            review = services.review_save(
                assignment=assignment,
                by=request.user,
                scores=form.scores(),
                submit=submit,
                recommendation=form.cleaned_data["recommendation"],
                comment_to_staff=form.cleaned_data["comment_to_staff"],
                feedback_to_applicant=form.cleaned_data["feedback_to_applicant"],
                rubric_id=form.cleaned_data["rubric"],
            )
        except ValidationError as exc:
            if "__all__" in exc.message_dict:  # the rubric changed: show the new version with the kept draft
                for message in exc.message_dict["__all__"]:
                    messages.warning(request, message)
                return redirect("review:score", pk=assignment.pk)
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except (services.ReviewError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("review:my_reviews")
        else:
            if submit:
                messages.success(request, _("Your review is submitted. Thank you!"))
            else:
                messages.success(request, _("Draft saved. You can come back to it at any time before the deadline."))
            return redirect("review:score", pk=assignment.pk)
    elif request.method == "POST" and locked:
        messages.error(request, _("This review has been submitted and is locked. Ask the program staff to reopen it."))
        return redirect("review:score", pk=assignment.pk)

    blind = assignment.member.panel.blind_review
    redact = redactor_for(application, blind=blind)
    running_total = scoring.review_weighted_score((c, s) for c, s in form.entered() if s is not None)
    others = []
    if permissions.can_see_other_reviews(request.user, assignment, review)[0]:
        # Other reviewers' scores, without their names.
        others = list(
            Review.objects.filter(application=application, status=Review.Status.SUBMITTED)
            .exclude(pk=review.pk)
            .values("weighted_score", "recommendation")
        )
    return render(
        request,
        "review/score.html",
        {
            "assignment": assignment,
            "application": application,
            "organisation": None if blind else application.organisation,
            "blind": blind,
            "title": redact(application.title),
            "summary": redact(application.summary),
            "rows": selectors.review_answer_rows(application, blind=blind, redact=redact),
            "attachments": selectors.review_attachments(application, blind=blind),
            "rubric": rubric,
            "form": form,
            "recuse_form": RecuseForm(prefix="recuse") if not locked else None,
            "review": review,
            "locked": locked,
            "running_total": running_total,
            "others": others,
            "recommendation_labels": dict(Review.Recommendation.choices),
            "page_title": _("Review %(reference)s") % {"reference": application.reference or ""},
        },
    )


@_reviewer_required
@require_http_methods(["POST"])
def recuse(request, pk):
    """Declare a conflict after reading (e.g. recognising the applicant under blind review)."""
    assignment = _own_assignment(request, pk)
    allowed, _reason = permissions.can_see_application(request.user, assignment)
    if not allowed:
        raise Http404
    form = RecuseForm(request.POST, prefix="recuse")
    if not form.is_valid():
        messages.error(request, _("Please say briefly what the conflict is."))
        return redirect("review:score", pk=assignment.pk)
    try:
        services.conflict_declare_after_reading(
            assignment=assignment, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("review:score", pk=assignment.pk)
    messages.success(
        request, _("Thank you. You are recused from this application and it has been passed to another reviewer.")
    )
    return redirect("review:my_reviews")


@_reviewer_required
def attachment_download(request, pk, attachment_pk):
    """An application's file for its assigned reviewer, after a 'no conflict' declaration, as a download (under a
    neutral name under blind review)."""
    assignment = _own_assignment(request, pk)
    allowed, _reason = permissions.can_see_application(request.user, assignment)
    if not allowed:
        raise Http404
    blind = assignment.member.panel.blind_review
    found = next(
        (
            (a, name)
            for a, name in selectors.review_attachments(assignment.application, blind=blind)
            if a.pk == attachment_pk
        ),
        None,
    )
    if found is None:
        raise Http404
    attachment, name = found
    return download_response(
        attachment.file,
        filename=name,
        content_type=getattr(attachment, "content_type", "application/octet-stream"),
    )
