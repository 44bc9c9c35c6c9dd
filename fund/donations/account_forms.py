"""allauth forms with a donor twist (settings.ACCOUNT_FORMS)."""

from allauth.account.forms import RequestLoginCodeForm

from .services.donors import donor_account_for_code_login


class DonorLoginCodeForm(RequestLoginCodeForm):
    """Sign-in by emailed code also works for someone who gave online without an account: the code goes to the
    email they gave with, and signing in shows their gifts. Everyone else is handled exactly as allauth does."""

    def clean_email(self):
        email = super().clean_email()
        if email and self._user is None:
            self._user = donor_account_for_code_login(email=email)
        return email
