"""Reads for the public site. Donations, awards and impact are read through their apps when installed, and from the
ledger / approved applications until then, so every page works at every stage of the project."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Q, Sum
from django.utils import timezone

from applicants.models import Organisation
from cms import sitestate, translation
from grants.awards.funding import awards_funded_by_campaigns
from portal.money import ZERO, money

# Award statuses that count as "funded" in public (offered awards may still be declined; terminated ones are history).
PUBLIC_AWARD_STATUSES = ("accepted", "closed")


# --- Site and fund ------------------------------------------------------------------------------------------------


def site_settings(request):
    from cms.models import SiteSettings

    if request is None:
        return None
    sitestate.prime(request)  # from the per-process copy when there is one: no query
    try:
        return SiteSettings.for_request(request)
    except Exception:  # noqa: BLE001 - no Site matches (e.g. an unknown host): the page still renders
        return None


def site_fund(request=None):
    """The fund the public site represents: the one chosen in site settings, else the default fund."""
    from fund.models import Fund

    settings_obj = site_settings(request)
    if settings_obj is not None and settings_obj.fund_id:
        return settings_obj.fund
    known = sitestate.default_fund(request)
    if known is not None:
        return known
    return Fund.objects.filter(is_default=True).first() or Fund.objects.order_by("pk").first()


# --- Campaigns ----------------------------------------------------------------------------------------------------


def _ledger_campaign_progress(campaign) -> dict:
    from fund.ledger import account_balances

    balances = account_balances(campaign.fund, campaign=campaign)
    raised = money(-balances.get("donations_revenue", ZERO) - balances.get("refunds", ZERO))
    return {"raised": raised, "donors": None}


def campaign_progress(campaign) -> dict:
    """raised, donors, goal, percent (0-100, capped), days_left (None once ended or open-ended), currency."""
    try:
        from fund.donations.selectors import campaign_progress as donations_progress
    except ImportError:
        donations_progress = None
    if donations_progress is not None:
        data = dict(donations_progress(campaign))
    else:
        data = _ledger_campaign_progress(campaign)
    goal = money(campaign.goal or 0)
    raised = money(data.get("raised") or 0)
    percent = int(min(Decimal(100), raised * 100 / goal)) if goal > 0 else 0
    now = timezone.now()
    days_left = data.get("days_left")
    if "days_left" not in data:
        days_left = max(0, (campaign.ends_at - now).days) if campaign.ends_at and campaign.ends_at > now else None
    return {
        "raised": raised,
        "donors": data.get("donors"),
        "goal": goal,
        "percent": percent,
        "days_left": days_left,
        "ended": bool(campaign.ends_at and campaign.ends_at <= now),
        "currency": data.get("currency") or campaign.fund.currency,
    }


def donate_form_context(request, campaign):
    """The donations app's embeddable form, if it exists; else None and the page links to /donate/."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        from fund.donations.forms import donate_form_context as build

        get_template("donations/includes/donate_form.html")
    except (ImportError, TemplateDoesNotExist):
        return None
    try:
        return build(request, campaign=campaign)
    except Exception:  # noqa: BLE001 - a broken form must never take the campaign page down
        import logging

        logging.getLogger(__name__).exception("donate form context failed for campaign %s", campaign.pk)
        return None


# --- Pages --------------------------------------------------------------------------------------------------------


def open_round_pages(limit=3):
    from cms.models import FundingRoundPage

    pages = translation.in_active_language(
        FundingRoundPage.objects.live().select_related("funding_round__fund").order_by("funding_round__closes_at")
    )
    return [p for p in pages if p.funding_round.is_accepting_applications()][:limit]


def latest_stories(limit=3):
    from cms.models import StoryPage

    stories = translation.in_active_language(StoryPage.objects.live())
    return list(stories.order_by("-date", "-pk").select_related("hero_image")[:limit])


def directory_page():
    from cms.models import GrantsDirectoryPage

    return translation.in_active_language(GrantsDirectoryPage.objects.live()).first()


# --- Grants (awards when the awards app has them, approved applications before that) --------------------------------


@dataclass
class Grant:
    id: int
    reference: str
    title: str
    summary: str
    amount: Decimal
    currency: str
    award_date: date | None
    round_title: str
    round_slug: str
    organisation_name: str
    organisation_named: bool
    organisation: object = field(repr=False, default=None)
    neighbourhood: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    amount_disbursed: Decimal | None = None
    fund: object = field(repr=False, default=None)
    url: str = ""

    @property
    def year(self):
        return self.award_date.year if self.award_date else None


def award_model():
    try:
        model = apps.get_model("awards", "Award")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    return model if {"application", "amount", "status"} <= names else None


def _base_queryset():
    """(kind, queryset) for publicly listed grants, with everything a row needs joined in."""
    from grants.models import Application

    Award = award_model()
    if Award is not None:
        qs = Award.objects.filter(status__in=PUBLIC_AWARD_STATUSES).select_related(
            "application__organisation__neighbourhood", "application__round__fund"
        )
        return "award", qs, "application__"
    qs = Application.objects.filter(status=Application.Status.APPROVED).select_related(
        "organisation__neighbourhood", "round__fund"
    )
    return "application", qs, ""


def _date_field(kind):
    """The award date (360Giving awardDate): when the decision to fund was made."""
    return "decided_at" if kind == "application" else "application__decided_at"


def directory_grants(*, round=None, neighbourhood=None, year=None, q=""):
    """Publicly listed grants, newest first, filtered.

    Do-not-name: the neighbourhood filter and the text search only ever match grants of organisations that may be
    named. An unnamed organisation's grant found by its neighbourhood would reveal where it works, and one found by
    a word of its summary (which the public never sees) could tie it to the name searched for.
    """
    kind, qs, prefix = _base_queryset()
    named = Q(**{f"{prefix}organisation__publicly_named": True})
    if round:
        qs = qs.filter(**{f"{prefix}round__slug": round})
    if neighbourhood:
        qs = qs.filter(named, **{f"{prefix}organisation__neighbourhood__slug": neighbourhood})
    date_field = _date_field(kind)
    if year:
        qs = qs.filter(**{f"{date_field}__year": year})
    if q:
        qs = qs.filter(named).filter(
            Q(**{f"{prefix}title__icontains": q})
            | Q(**{f"{prefix}summary__icontains": q})
            | Q(**{f"{prefix}organisation__legal_name__icontains": q})
            | Q(**{f"{prefix}organisation__operating_name__icontains": q})
        )
    return qs.order_by(f"-{date_field}", "-pk")


def _attr(obj, *names):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None and value != "":
            return value
    return None


def _as_date(value):
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _disbursed_by_award(award_ids):
    """Paid disbursements per award id, in one query, once the awards app has disbursements."""
    try:
        Disbursement = apps.get_model("awards", "Disbursement")
    except LookupError:
        return None
    names = {f.name for f in Disbursement._meta.get_fields()}
    if not {"tranche", "amount", "status"} <= names:
        return None
    if not award_ids:
        return {}
    rows = (
        Disbursement.objects.filter(tranche__award_id__in=award_ids, status="paid")
        .values("tranche__award_id")
        .annotate(total=Sum("amount"))
    )
    return {row["tranche__award_id"]: money(row["total"] or 0) for row in rows}


def _names_organisation(text, organisation) -> bool:
    """Whether an applicant's own words (a grant title) contain the organisation's name or registration number."""
    text = (text or "").casefold()
    secrets = (organisation.legal_name, organisation.operating_name, organisation.registration_number)
    return any(secret and secret.strip().casefold() in text for secret in secrets)


def grant_rows(objects, directory=None) -> list[Grant]:
    """Shape awards (or approved applications) as public grants. Unnamed organisations never expose their name.
    `directory` (the grants directory page, whose URLs the rows link to) is looked up unless given."""
    from django.utils.translation import gettext

    objects = list(objects)
    if not objects:
        return []
    is_award = not hasattr(objects[0], "requested_amount")
    disbursed = _disbursed_by_award([o.pk for o in objects]) if is_award else None
    if directory is None:
        directory = directory_page()
    rows = []
    for obj in objects:
        application = obj.application if is_award else obj
        organisation = application.organisation
        funding_round = application.round
        named = organisation.publicly_named
        amount = obj.amount if is_award else (obj.requested_amount or ZERO)
        awarded_on = _as_date(application.decided_at) or (
            _as_date(_attr(obj, "offered_at", "accepted_at", "created_at")) if is_award else None
        )
        title = application.title
        if not named and _names_organisation(title, organisation):
            title = ""
        rows.append(
            Grant(
                id=obj.pk,
                reference=application.reference or f"G{obj.pk}",
                title=title or gettext("Community grant"),
                summary=application.summary,
                amount=money(amount),
                currency=funding_round.fund.currency,
                award_date=awarded_on,
                round_title=funding_round.title,
                round_slug=funding_round.slug,
                organisation_name=organisation.public_name,
                organisation_named=named,
                organisation=organisation,
                neighbourhood=organisation.neighbourhood.name if named and organisation.neighbourhood_id else "",
                planned_start=_as_date(_attr(obj, "starts_on", "start_date", "period_start")) if is_award else None,
                planned_end=_as_date(_attr(obj, "ends_on", "end_date", "period_end")) if is_award else None,
                amount_disbursed=disbursed.get(obj.pk, ZERO) if disbursed is not None else None,
                fund=funding_round.fund,
                url=directory.grant_url(obj.pk) if directory else "",
            )
        )
    return rows


# --- Site search ------------------------------------------------------------------------------------------------------

SEARCH_RESULTS_PER_KIND = 10


def search_grants(terms: str, limit: int = SEARCH_RESULTS_PER_KIND) -> list[Grant]:
    """Publicly listed grants matching every word (title, summary or organisation name), as the directory shows them.

    The directory's own search rules apply: only grants of organisations that may be named are ever matched."""
    found = None
    for word in terms.split():
        matches = directory_grants(q=word)
        found = matches if found is None else found & matches
    return grant_rows(found[:limit]) if found is not None else []


def search_organisations(terms: str, limit: int = SEARCH_RESULTS_PER_KIND) -> list[dict]:
    """Organisations the public may know: named publicly, with a publicly listed grant, matching every word of their
    legal or operating name. Only their public profile is read (name, neighbourhood, number of grants)."""
    _kind, grants, prefix = _base_queryset()
    funded_ids = grants.values(f"{prefix}organisation_id")
    qs = Organisation.objects.filter(publicly_named=True, pk__in=funded_ids).select_related("neighbourhood")
    for word in terms.split():
        qs = qs.filter(Q(legal_name__icontains=word) | Q(operating_name__icontains=word))
    directory = directory_page()
    results = []
    for organisation in qs.order_by("legal_name")[:limit]:
        results.append(
            {
                "name": organisation.name,
                "neighbourhood": organisation.neighbourhood.name if organisation.neighbourhood_id else "",
                "url": f"{directory.url}?{urlencode({'q': organisation.name})}" if directory else "",
            }
        )
    return results


def directory_grant(grant_id, directory=None):
    _kind, qs, _prefix = _base_queryset()
    obj = qs.filter(pk=grant_id).first()
    return grant_rows([obj], directory)[0] if obj else None


def grants_for_round(funding_round, limit=50):
    _kind, qs, prefix = _base_queryset()
    return grant_rows(qs.filter(**{f"{prefix}round": funding_round}).order_by("-pk")[:limit])


def grants_funded_by_campaign(campaign, limit=12):
    """Grants this campaign's restricted money pays for (awards in public statuses), newest first. Each row's
    `amount` is the campaign's share of the grant, so the list never claims more than the campaign gave."""
    return followed_grants([campaign.pk], limit=limit)


def followed_grants(campaign_ids, limit=None) -> list:
    """Public grants funded by any of these campaigns, each with `campaign_title` and the campaign's share as
    `amount` (two queries plus grant_rows')."""
    sources = awards_funded_by_campaigns(campaign_ids, statuses=PUBLIC_AWARD_STATUSES, limit=limit)
    rows = grant_rows([s.award for s in sources])
    result = []
    for source, row in zip(sources, rows):
        shared = replace(row, amount=money(source.amount))
        shared.campaign_title = source.campaign.title
        result.append(shared)
    return result


def all_public_grants():
    _kind, qs, _prefix = _base_queryset()
    return grant_rows(qs.order_by("pk"))


def directory_filter_choices():
    """Rounds, neighbourhoods and years that have public grants (three small queries)."""
    from applicants.models import Neighbourhood
    from grants.models import FundingRound

    kind, qs, prefix = _base_queryset()
    round_ids = qs.values(f"{prefix}round_id")
    rounds = list(FundingRound.objects.filter(pk__in=round_ids).order_by("-opens_at").values_list("slug", "title"))
    hood_ids = qs.filter(**{f"{prefix}organisation__publicly_named": True}).values(
        f"{prefix}organisation__neighbourhood_id"
    )
    hoods = list(Neighbourhood.objects.filter(pk__in=hood_ids).values_list("slug", "name"))
    years = sorted({d.year for d in qs.dates(_date_field(kind), "year")}, reverse=True)
    return rounds, hoods, years


# --- Impact -------------------------------------------------------------------------------------------------------


def money_totals(fund) -> dict:
    """Raised (donations net of refunds), granted (committed net of releases) and paid, from the ledger."""
    if fund is None:
        return {"raised": ZERO, "granted": ZERO, "paid": ZERO, "currency": "USD"}
    from fund.ledger import account_balances

    bal = account_balances(fund)
    granted = money(bal.get("grants_expense", ZERO))
    outstanding = money(-bal.get("grants_payable", ZERO))
    return {
        "raised": money(-bal.get("donations_revenue", ZERO) - bal.get("refunds", ZERO)),
        "granted": granted,
        "paid": money(granted - outstanding),
        "currency": fund.currency,
    }


def grant_counts() -> dict:
    from django.db.models import Count

    _kind, qs, prefix = _base_queryset()
    # One query. Only named organisations' neighbourhoods: a count that included the others would reveal unlisted
    # places (a COUNT DISTINCT of the column leaves out organisations without one).
    return qs.aggregate(
        grants=Count("pk"),
        organisations=Count(f"{prefix}organisation", distinct=True),
        neighbourhoods=Count(
            f"{prefix}organisation__neighbourhood",
            distinct=True,
            filter=Q(**{f"{prefix}organisation__publicly_named": True}),
        ),
    )


def _amount_field(kind):
    return "amount" if kind == "award" else "requested_amount"


def grants_by_year() -> list[dict]:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    kind, qs, _prefix = _base_queryset()
    rows = (
        qs.exclude(**{_date_field(kind): None})
        .annotate(y=ExtractYear(_date_field(kind)))
        .values("y")
        .annotate(amount=Sum(_amount_field(kind)), count=Count("pk"))
        .order_by("y")
    )
    return [{"year": r["y"], "amount": money(r["amount"] or 0), "count": r["count"]} for r in rows]


def grants_by_round() -> list[dict]:
    from django.db.models import Count

    kind, qs, prefix = _base_queryset()
    rows = (
        qs.values(f"{prefix}round__title", f"{prefix}round__opens_at")
        .annotate(amount=Sum(_amount_field(kind)), count=Count("pk"))
        .order_by(f"{prefix}round__opens_at")
    )
    return [{"round": r[f"{prefix}round__title"], "amount": money(r["amount"] or 0), "count": r["count"]} for r in rows]


def _impact_selectors():
    try:
        from grants.impact import selectors as impact_selectors
    except ImportError:
        return None
    return impact_selectors if hasattr(impact_selectors, "public_metric_totals") else None


def impact_metrics(years=()) -> list[dict]:
    """Reported impact (approved reports only) once the impact app provides it:
    [{key, label, unit, value, by_year: [value per year in `years`]}]; [] before that."""
    impact = _impact_selectors()
    if impact is None:
        return []
    totals = list(impact.public_metric_totals())
    per_year = {year: {r["key"]: r["total"] for r in impact.public_metric_totals(year=year)} for year in years}
    return [
        {
            "key": r["key"],
            "label": r["label"],
            "unit": r["unit"],
            "value": r["total"],
            "by_year": [per_year[year].get(r["key"]) for year in years],
        }
        for r in totals
    ]


def impact_trend(metric_key) -> list[dict]:
    """[{period, total}] by quarter for one metric, or [] before the impact app exists."""
    impact = _impact_selectors()
    if impact is None or not hasattr(impact, "public_trend"):
        return []
    return list(impact.public_trend(metric_key))


def impact_headline(fund) -> dict:
    totals = money_totals(fund)
    counts = grant_counts()
    return {**totals, **counts, "fund_id": fund.pk if fund else None}
