"""Staff screen (Wagtail admin): erase a person on their request, after a confirmation page (portal.erasure)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .confirm import confirm_page, is_confirmed
from .erasure import can_erase, person_erase


class ErasePersonForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address of the person"))
    reason = forms.CharField(
        label=gettext_lazy("Their request"),
        help_text=gettext_lazy("When and how they asked, for the audit log (for example: email of 3 May)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def erase_person(request):
    allowed, why = can_erase(request.user)
    if not allowed:
        raise PermissionDenied(why)
    form = ErasePersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not is_confirmed(request):
            return confirm_page(
                request,
                admin=True,
                danger=True,
                title=_("Erase %(email)s?") % {"email": data["email"]},
                consequences=[
                    _("Their account is closed and every session ends; their sign-in methods are removed."),
                    _("Their name, email addresses and address are replaced by a pseudonym in every record."),
                    _(
                        "Gifts with an issued tax receipt or a Gift Aid declaration keep the name and address they "
                        "were receipted under, as tax law requires; the ledger and issued receipts are kept."
                    ),
                    _("This cannot be undone."),
                ],
                action=request.path,
                cancel_url=request.path,
                confirm_label=_("Erase this person"),
            )
        try:
            person = person_erase(email=data["email"], by=request.user, reason=data["reason"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, _("Erased. They are now known as %(pseudonym)s.") % {"pseudonym": person.pseudonym}
            )
            return redirect(reverse("portal_erase_person"))
    return render(request, "portal/admin/erase_person.html", {"form": form})
