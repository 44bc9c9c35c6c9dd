"""The decision as the applicant's members see it: the letter as a PDF download (the decision itself is shown on the
application's page by the `application_decision` tag)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from grants.selectors import application_for_member
from portal.downloads import download_response

from .decision_selectors import decision_for_applicant
from .pdf import decision_letter_pdf


@login_required
def decision_letter(request, pk):
    """Every member of the organisation may download the letter of the application's decision; anyone else gets 404."""
    application = application_for_member(request.user, pk)
    shown = decision_for_applicant(application) if application is not None else None
    if shown is None:
        raise Http404
    decision = shown["decision"]
    return download_response(
        decision_letter_pdf(decision, feedback=shown["feedback"]),
        filename=f"decision-{application.reference or application.pk}.pdf",
        content_type="application/pdf",
    )
