"""Eligibility answers given before signing in: kept in the session, then tied to the account at sign-up or sign-in.

The session maps a round's id to {eligibility question id: "yes"/"no"}. Once the person has an account the answers live in
`EligibilityResponse`, so the application they start later (on any device) is pre-filled with them."""

from . import selectors, services
from .models import FundingRound

ANSWERS_SESSION_KEY = "eligibility_answers"


def remember(request, funding_round, answers: dict) -> None:
    """Keep the answers ({question id: True/False}) in the session, and on the account when signed in."""
    as_text = {str(pk): ("yes" if value else "no") for pk, value in answers.items()}
    stored = dict(request.session.get(ANSWERS_SESSION_KEY, {}))
    stored[str(funding_round.pk)] = as_text
    request.session[ANSWERS_SESSION_KEY] = stored
    if request.user.is_authenticated:
        services.eligibility_record(funding_round=funding_round, by=request.user, answers=as_text)


def answers_for(request, funding_round) -> dict:
    """{question id: "yes"/"no"} for this round: the account's answers, else the session's."""
    response = selectors.eligibility_response(request.user, funding_round)
    if response is not None:
        return response.answers
    return request.session.get(ANSWERS_SESSION_KEY, {}).get(str(funding_round.pk), {})


def claim(sender, request, user, **kwargs):
    """Signal receiver (sign-up, sign-in): tie the session's eligibility answers to the account."""
    if request is None or not hasattr(request, "session"):
        return
    stored = request.session.get(ANSWERS_SESSION_KEY) or {}
    rounds = FundingRound.objects.in_bulk([int(pk) for pk in stored if str(pk).isdigit()])
    for pk, answers in stored.items():
        funding_round = rounds.get(int(pk)) if str(pk).isdigit() else None
        if funding_round is not None and isinstance(answers, dict):
            services.eligibility_record(funding_round=funding_round, by=user, answers=answers)
