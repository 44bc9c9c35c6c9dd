from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        next_url = super().get_login_redirect_url(request)
        return next_url or reverse("portal:dashboard")
