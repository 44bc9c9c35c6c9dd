"""Rounds with a published form, and members' draft applications, for the grants tests."""

from decimal import Decimal

from grants.models import ApplicationFormVersion, EligibilityQuestion, FormQuestion

from .applicants import MembershipFactory
from .grants import ApplicationFactory, FundingRoundFactory

STANDARD_QUESTIONS = [
    {"key": "need", "kind": "section", "label": "The need"},
    {"key": "problem", "kind": "long_text", "label": "What problem will you address?", "word_limit": 50},
    {"key": "approach", "kind": "rich_text", "label": "Your approach", "required": False},
    {"key": "contact_name", "kind": "short_text", "label": "Contact name"},
    {"key": "peer_led", "kind": "yes_no", "label": "Is the project peer-led?"},
    {
        "key": "peer_details",
        "kind": "long_text",
        "label": "Tell us about the peers",
        "show_if_key": "peer_led",
        "show_if_value": "yes",
    },
    {"key": "money", "kind": "section", "label": "Money"},
    {"key": "budget", "kind": "budget", "label": "Budget"},
    {"key": "start", "kind": "date", "label": "Start date", "required": False},
    {"key": "areas", "kind": "multiple_choice", "label": "Areas", "choices": "Northside\nRiverside", "required": False},
    {"key": "plan", "kind": "file", "label": "Work plan", "required": False},
]


def round_with_form(questions=None, eligibility=(), **kwargs):
    """A round with form questions (dicts as above) and the first published version of its form."""
    return add_published_form(
        FundingRoundFactory(**kwargs), questions if questions is not None else STANDARD_QUESTIONS, eligibility
    )


def add_published_form(funding_round, questions, eligibility=()):
    """Give an existing round (e.g. the open round of tests.factories.cms.make_site) its questions and publish the
    first version of its form."""
    for order, q in enumerate(questions):
        FormQuestion.objects.create(round=funding_round, sort_order=order, **{"required": True, **q})
    for order, (text, answer, message) in enumerate(eligibility):
        EligibilityQuestion.objects.create(
            round=funding_round, sort_order=order, text=text, required_answer=answer, ineligible_message=message
        )
    definition = [q.as_definition() for q in funding_round.form_questions.order_by("sort_order")]
    ApplicationFormVersion.objects.create(round=funding_round, number=1, definition=definition)
    return funding_round


def draft_for(funding_round, user=None, **kwargs):
    """A draft application of a new organisation; `user` (or a new one) owns the organisation."""
    membership = MembershipFactory(**({"user": user} if user else {}))
    version = funding_round.form_versions.order_by("-number").first()
    defaults = {
        "round": funding_round,
        "organisation": membership.organisation,
        "status": "draft",
        "reference": None,
        "submitted_at": None,
        "created_by": membership.user,
        "title": "",
        "requested_amount": None,
        "form_snapshot": {"version": version.number, "questions": version.definition} if version else {},
    }
    defaults.update(kwargs)
    return ApplicationFactory(**defaults), membership.user


COMPLETE_ANSWERS = {
    "problem": "Too few naloxone kits reach people who use alone.",
    "approach": "<p>Peer outreach at night</p>",
    "contact_name": "Rosa",
    "peer_led": "no",
    "budget": [
        {"category": "Staff", "description": "Peer worker", "amount": "20000.00"},
        {"category": "Supplies", "description": "Kits", "amount": "5000.00"},
    ],
}


def complete(application):
    application.title = "Night outreach"
    application.summary = "Naloxone and peer support at night."
    application.requested_amount = Decimal("25000.00")
    application.answers = dict(COMPLETE_ANSWERS)
    application.save()
    return application
