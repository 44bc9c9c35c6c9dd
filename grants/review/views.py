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
from .forms import ConflictForm, ReviewForm
from .models import Assignment, ConflictDeclaration, Review


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
            "application__round__rubric",
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
    rubric = getattr(application.round, "rubric", None)
    if rubric is None:
        messages.warning(request, _("The rubric for this round is not ready yet. Please come back later."))
        return redirect("review:my_reviews")
    criteria = list(rubric.criteria.all())
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    locked = review is not None and review.is_submitted
    form = ReviewForm(request.POST or None, criteria=criteria, initial=ReviewForm.initial_from(review))
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
            )
        except ValidationError as exc:
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
    saved = {
        row.criterion_id: (None if row.not_applicable else row.score) for row in (review.scores.all() if review else [])
    }
    running_total = scoring.review_weighted_score((c, saved.get(c.pk)) for c in criteria if saved.get(c.pk) is not None)
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
            "rows": selectors.review_answer_rows(application, blind=blind),
            "attachments": selectors.review_attachments(application),
            "rubric": rubric,
            "form": form,
            "review": review,
            "locked": locked,
            "running_total": running_total,
            "others": others,
            "recommendation_labels": dict(Review.Recommendation.choices),
            "page_title": _("Review %(reference)s") % {"reference": application.reference or ""},
        },
    )


@_reviewer_required
def attachment_download(request, pk, attachment_pk):
    """An application's file for its assigned reviewer, after a 'no conflict' declaration, as a download."""
    assignment = _own_assignment(request, pk)
    allowed, _reason = permissions.can_see_application(request.user, assignment)
    if not allowed:
        raise Http404
    attachment = next((a for a in selectors.review_attachments(assignment.application) if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    return download_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=getattr(attachment, "content_type", "application/octet-stream"),
    )
