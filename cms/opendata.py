"""Awarded grants in the 360Giving Data Standard's shape (https://standard.threesixtygiving.org/).

Unnamed organisations appear as "A community organisation" with an id that identifies the grant, not the
organisation, and without their own description or location. Nothing that was not awarded is published.
"""

import csv
import io
import re

from django.utils.translation import gettext as _

from cms import selectors
from portal.spreadsheets import safe_row

# Columns of the 360Giving flat (CSV) template, in order, and the JSON path each comes from.
CSV_COLUMNS = [
    ("Identifier", "id"),
    ("Title", "title"),
    ("Description", "description"),
    ("Currency", "currency"),
    ("Amount Awarded", "amountAwarded"),
    ("Award Date", "awardDate"),
    ("Planned Dates:Start Date", "plannedDates.0.startDate"),
    ("Planned Dates:End Date", "plannedDates.0.endDate"),
    ("Amount Disbursed", "amountDisbursed"),
    ("Recipient Org:Identifier", "recipientOrganization.0.id"),
    ("Recipient Org:Name", "recipientOrganization.0.name"),
    ("Beneficiary Location:Name", "beneficiaryLocation.0.name"),
    ("Funding Org:Identifier", "fundingOrganization.0.id"),
    ("Funding Org:Name", "fundingOrganization.0.name"),
    ("Grant Programme:Title", "grantProgramme.0.title"),
]

ORG_ID_SCHEMES = {"US": "US-EIN", "GB": "GB-CHC", "UK": "GB-CHC", "CA": "CA-CRA_ACR"}


def identifier_prefix(fund) -> str:
    """The fund's 360Giving prefix, e.g. "360G-millbrook"."""
    return f"360G-{fund.slug}" if fund is not None else "360G-fund"


def _registration(scheme_country, number):
    digits = re.sub(r"[^0-9A-Za-z]", "", number or "")
    # Strip a leading scheme word ("EIN 12-3456789" -> 123456789).
    digits = re.sub(r"^(EIN|CHC|BN)", "", digits, flags=re.IGNORECASE)
    scheme = ORG_ID_SCHEMES.get(scheme_country)
    return f"{scheme}-{digits}" if scheme and digits else ""


def funding_organization(fund) -> dict:
    identifier = _registration(getattr(fund, "jurisdiction", ""), getattr(fund, "charity_number", ""))
    return {
        "id": identifier or identifier_prefix(fund),
        "name": (fund.legal_name or fund.name) if fund is not None else "",
    }


def recipient_organization(grant, prefix) -> dict:
    if not grant.organisation_named:
        return {"id": f"{prefix}-ORG-ANON-{grant.id}", "name": _("A community organisation")}
    org = grant.organisation
    identifier = _registration(org.country, org.registration_number) or f"{prefix}-ORG-{org.pk}"
    return {"id": identifier, "name": org.name}


def grant_record(grant, base_url="") -> dict:
    prefix = identifier_prefix(grant.fund)
    record = {
        "id": f"{prefix}-{grant.reference}",
        "title": grant.title,
        "description": (grant.summary or grant.title)
        if grant.organisation_named
        else _("A grant to a community organisation for community-led work on the overdose crisis."),
        "currency": grant.currency,
        "amountAwarded": float(grant.amount),
        "awardDate": grant.award_date.isoformat() if grant.award_date else "",
        "recipientOrganization": [recipient_organization(grant, prefix)],
        "fundingOrganization": [funding_organization(grant.fund)],
        "grantProgramme": [{"code": grant.round_slug, "title": grant.round_title}],
    }
    if grant.planned_start or grant.planned_end:
        record["plannedDates"] = [
            {
                "startDate": grant.planned_start.isoformat() if grant.planned_start else "",
                "endDate": grant.planned_end.isoformat() if grant.planned_end else "",
            }
        ]
    if grant.amount_disbursed is not None:
        record["amountDisbursed"] = float(grant.amount_disbursed)
    if grant.neighbourhood:
        record["beneficiaryLocation"] = [{"name": grant.neighbourhood}]
    if grant.url:
        record["dataSource"] = base_url + grant.url if grant.url.startswith("/") else grant.url
    return record


def grants_package(grants=None, base_url="") -> dict:
    grants = selectors.all_public_grants() if grants is None else grants
    return {"grants": [grant_record(g, base_url) for g in grants]}


def _lookup(record, dotted):
    value = record
    for part in dotted.split("."):
        if isinstance(value, list):
            index = int(part)
            value = value[index] if index < len(value) else None
        elif isinstance(value, dict):
            value = value.get(part)
        if value is None:
            return ""
    return value


def grants_csv(grants=None, base_url="") -> str:
    package = grants_package(grants, base_url)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for header, _path in CSV_COLUMNS])
    for record in package["grants"]:
        # Spreadsheet apps execute cells that start with a formula character; open data must never do that.
        writer.writerow(safe_row(_lookup(record, path) for _header, path in CSV_COLUMNS))
    return out.getvalue()
