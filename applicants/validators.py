"""Registration numbers per country, with python-stdnum where it has a validator and a plain rule where it has none."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.ca import bn as ca_bn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import ein as us_ein

# England & Wales: 6 or 7 digits (optionally "-NN" for a linked charity); Scotland: SC + 6 digits;
# Northern Ireland: NIC + 6 digits (stdnum has no UK charity validator).
UK_CHARITY_RE = re.compile(r"^(?:\d{6,7}(?:-\d{1,2})?|SC\d{6}|NIC\d{6})$")


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
        compact = ca_bn.compact(number).upper()
        # stdnum checks the 9-digit business number (Luhn); it does not know the charities' RR program account.
        if len(compact) != 15 or not ca_bn.is_valid(compact[:9]) or compact[9:11] != "RR" or not compact[11:].isdigit():
            raise ValidationError(
                _(
                    "This is not a valid Canadian charity registration number. It has 15 characters: the 9-digit "
                    "business number, RR and 4 digits, like 123456782RR0001."
                )
            )
        return compact
    if country == "GB":
        compact = re.sub(r"\s+", "", number).upper()
        if not UK_CHARITY_RE.match(compact):
            raise ValidationError(
                _(
                    "This is not a UK charity number. Use 6 or 7 digits (England and Wales), SC and 6 digits (Scotland) "
                    "or NIC and 6 digits (Northern Ireland)."
                )
            )
        return compact
    return number
