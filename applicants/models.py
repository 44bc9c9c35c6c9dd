from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.money import MoneyField


class Neighbourhood(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")

    def __str__(self):
        return self.name


class Organisation(models.Model):
    class Type(models.TextChoices):
        REGISTERED_CHARITY = "registered_charity", _("Registered charity / 501(c)(3)")
        NONPROFIT_CORPORATION = "nonprofit_corporation", _("Nonprofit corporation")
        UNINCORPORATED = "unincorporated", _("Unincorporated community group (with a fiscal sponsor)")
        FAITH_BASED = "faith_based", _("Faith-based organisation")
        TRIBAL = "tribal", _("Tribal or Indigenous-led organisation")
        OTHER = "other", _("Other")

    class Country(models.TextChoices):
        US = "US", _("United States")
        GB = "GB", _("United Kingdom")
        CA = "CA", _("Canada")

    class Size(models.TextChoices):
        SMALL = "small", _("Small (budget under $250,000)")
        MEDIUM = "medium", _("Medium ($250,000 to $1 million)")
        LARGE = "large", _("Large (over $1 million)")

    legal_name = models.CharField(_("legal name"), max_length=200)
    operating_name = models.CharField(_("operating name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    org_type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.US)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    fiscal_sponsor = models.ForeignKey(
        "self",
        verbose_name=_("fiscal sponsor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored_organisations",
    )
    # Kept for sponsors named before they were organisations in the portal (the migration matched exact names only).
    fiscal_sponsor_name = models.CharField(_("fiscal sponsor (as named before)"), max_length=200, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state / province / county"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("main neighbourhood"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    service_areas = models.ManyToManyField(
        Neighbourhood, verbose_name=_("neighbourhoods served"), blank=True, related_name="+"
    )
    annual_budget = MoneyField(_("annual budget"), null=True, blank=True)
    staff_size = models.PositiveIntegerField(_("staff (people)"), null=True, blank=True)
    peer_led = models.BooleanField(_("peer-led / led by people with lived experience"), default=False)
    culturally_specific = models.BooleanField(_("culturally specific organisation"), default=False)
    communities_served = models.TextField(_("communities served"), blank=True)
    mission = models.TextField(_("mission"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    publicly_named = models.BooleanField(
        _("may be named publicly"),
        default=True,
        help_text=_("If unticked, public pages say 'a community organisation' instead of your name."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.operating_name or self.legal_name

    @property
    def public_name(self):
        return self.name if self.publicly_named else str(_("A community organisation"))

    @property
    def sponsor_legal_name(self) -> str:
        return self.fiscal_sponsor.legal_name if self.fiscal_sponsor_id else self.fiscal_sponsor_name

    @property
    def sponsor_registration_number(self) -> str:
        return self.fiscal_sponsor.registration_number if self.fiscal_sponsor_id else ""

    @property
    def sponsor_display(self) -> str:
        """'Legal name (registration 123)' of the fiscal sponsor, for letters and PDFs; empty without a sponsor."""
        if not self.sponsor_legal_name:
            return ""
        if not self.sponsor_registration_number:
            return self.sponsor_legal_name
        return _("%(name)s (registration %(number)s)") % {
            "name": self.sponsor_legal_name,
            "number": self.sponsor_registration_number,
        }

    @property
    def size(self):
        if self.annual_budget is None or self.annual_budget < 250_000:
            return self.Size.SMALL
        if self.annual_budget <= 1_000_000:
            return self.Size.MEDIUM
        return self.Size.LARGE


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    decision_emails = models.BooleanField(_("email me the decisions on this organisation's applications"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def awaiting_owner_confirmation(self):
        return self.filter(
            role=Membership.Role.OWNER,
            accepted_at__isnull=False,
            owner_confirmed_at__isnull=True,
            revoked_at__isnull=True,
        )


class Invitation(models.Model):
    """An emailed, expiring invitation to join an organisation. Only a hash of the token is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # An owner invitation makes the invitee a member; an existing owner then confirms the person who actually joined
    # before they become an owner (a forwarded link never makes a stranger an owner).
    owner_confirmed_at = models.DateTimeField(null=True, blank=True)
    owner_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self):
        from django.utils import timezone

        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def awaits_owner_confirmation(self):
        return (
            self.role == Membership.Role.OWNER
            and self.accepted_at is not None
            and self.owner_confirmed_at is None
            and self.revoked_at is None
        )
