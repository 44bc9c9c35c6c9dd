"""Per-site settings editors change without a deploy. The legal identity itself lives on fund.Fund."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    fund = models.ForeignKey(
        "fund.Fund",
        verbose_name=_("fund this site represents"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its legal name, registration number and address appear in the footer and on receipts."),
    )
    fund_name = models.CharField(_("fund name"), max_length=200, blank=True, help_text=_("Shown in the header."))
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    receipt_signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("authorised signature on receipts"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An image of the authorised signature printed on Canadian official receipts (CRA)."),
    )
    footer_text = models.TextField(_("footer text"), blank=True)
    # Site settings cannot be Wagtail translations (one row per site), so their public text has one field per
    # content language; an empty one falls back to English (localized()).
    fund_name_es = models.CharField(_("fund name (Spanish)"), max_length=200, blank=True)
    fund_name_fr = models.CharField(_("fund name (French)"), max_length=200, blank=True)
    footer_text_es = models.TextField(_("footer text (Spanish)"), blank=True)
    footer_text_fr = models.TextField(_("footer text (French)"), blank=True)
    contact_email = models.EmailField(_("public contact email"), blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    bluesky_url = models.URLField(_("Bluesky"), blank=True)
    mastodon_url = models.URLField(_("Mastodon"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("fund"),
                FieldPanel("fund_name"),
                FieldPanel("fund_name_es"),
                FieldPanel("fund_name_fr"),
                FieldPanel("logo"),
            ],
            heading=_("Identity"),
        ),
        MultiFieldPanel([FieldPanel("receipt_signature")], heading=_("Receipts")),
        MultiFieldPanel(
            [
                FieldPanel("footer_text"),
                FieldPanel("footer_text_es"),
                FieldPanel("footer_text_fr"),
                FieldPanel("contact_email"),
            ],
            heading=_("Footer"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("bluesky_url"),
                FieldPanel("mastodon_url"),
                FieldPanel("linkedin_url"),
            ],
            heading=_("Social media"),
        ),
    ]

    class Meta:
        verbose_name = _("public site settings")

    def localized(self, field, language=None):
        """The public text `field` in `language` (default: the active one), or the English text when not given."""
        language = (language or get_language() or "en").split("-")[0]
        if language != "en":
            value = getattr(self, f"{field}_{language}", "")
            if value:
                return value
        return getattr(self, field)

    @property
    def localized_fund_name(self):
        return self.localized("fund_name")

    @property
    def localized_footer_text(self):
        return self.localized("footer_text")

    def social_links(self):
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("Bluesky", self.bluesky_url),
            ("Mastodon", self.mastodon_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(name, url) for name, url in links if url]
