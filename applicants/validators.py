"""Registration numbers per country, with python-stdnum where it has a validator and a plain rule where it has none."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.ca import bn as ca_bn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import ein as us_ein

# stdnum has no validator for UK charity or company numbers, so these are plain rules.
# Charities: England & Wales 6 or 7 digits (optionally "-NN" for a linked charity); Scotland SC + 6 digits;
# Northern Ireland NIC + 6 digits.
UK_CHARITY_RE = re.compile(r"^(?:\d{6,7}(?:-\d{1,2})?|SC\d{6}|NIC\d{6})$")
# Companies House numbers (companies limited by guarantee, CICs, CIOs, LLPs, societies): 8 characters, either 8 digits
# (England and Wales) or a two-letter register prefix and 6 digits (SC Scotland, NI Northern Ireland, CE/CS charitable
# incorporated organisations, OC/SO/NC LLPs, IP/SP/NP/RS societies...).
UK_COMPANY_RE = re.compile(r"^(?:\d{8}|(?:SC|NI|R0|CE|CS|OC|SO|NC|IP|SP|NP|RS|SR|NO|SE|GE|GS|GN)\d{6})$")
# Canadian program accounts a charity or nonprofit holds: RR (registered charity), RC (corporation income tax, which
# non-charity nonprofit corporations file under).
CA_PROGRAMS = ("RR", "RC")


def normalise_registration_number(country: str, org_type: str, number: str) -> str:
    """Return the registration number in its standard form, or raise ValidationError with a message a person can act on."""
    number = (number or "").strip()
    if org_type == "unincorporated":
        return number
    if not number:
        raise ValidationError(
            _("Enter your registration number, or choose 'unincorporated community group' if you have none.")
        )
    if country == "US":
        try:
            return us_ein.format(us_ein.validate(number))
        except StdnumError:
            raise ValidationError(_("This is not a valid US EIN. It has 9 digits, written like 12-3456789.")) from None
    if country == "CA":
        return _canadian_bn(number, registered_charity=org_type == "registered_charity")
    if country == "GB":
        compact = re.sub(r"[\s.-]+", "", number).upper()
        compact_charity = re.sub(r"\s+", "", number).upper()  # keeps the "-NN" of a linked charity
        if UK_CHARITY_RE.match(compact_charity):
            return compact_charity
        if UK_COMPANY_RE.match(compact):
            return compact
        raise ValidationError(
            _(
                "This is not a UK charity or company number. Charities: 6 or 7 digits (England and Wales), SC and 6 "
                "digits (Scotland) or NIC and 6 digits (Northern Ireland). Companies and CICs: 8 characters, like "
                "01234567, SC123456 or NI012345."
            )
        )
    return number


def _canadian_bn(number: str, *, registered_charity: bool) -> str:
    """A 15-character program account: the 9-digit business number (checked by stdnum), RR or RC, and 4 digits.
    A registered charity gives its charity account (RR); a non-charity nonprofit its corporation account (RC)."""
    compact = ca_bn.compact(number).upper()
    message = _(
        "This is not a valid Canadian business number for a charity or nonprofit. It has 15 characters: the 9-digit "
        "business number, RR (registered charity) or RC (nonprofit corporation) and 4 digits, like 123456782RR0001."
    )
    if len(compact) != 15 or compact[9:11] not in CA_PROGRAMS or not compact[11:].isdigit():
        raise ValidationError(message)
    try:
        # stdnum validates the Luhn check digit; it knows RC but not the charities' RR program account.
        ca_bn.validate(compact if compact[9:11] == "RC" else compact[:9])
    except StdnumError:
        raise ValidationError(
            _(
                "This is not a valid Canadian business number: its first 9 digits do not check out. "
                "Please copy it again from your CRA documents."
            )
        ) from None
    if registered_charity and compact[9:11] == "RC":
        raise ValidationError(
            _(
                "A registered charity gives its charity registration number: the 9-digit business number, RR and 4 "
                "digits, like 123456782RR0001. RC numbers are for nonprofits that are not registered charities."
            )
        )
    return compact
