"""Per-site settings editors change without a deploy. The legal identity itself lives on fund.Fund."""

from django.db import models
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
    contact_email = models.EmailField(_("public contact email"), blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    bluesky_url = models.URLField(_("Bluesky"), blank=True)
    mastodon_url = models.URLField(_("Mastodon"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)

    panels = [
        MultiFieldPanel([FieldPanel("fund"), FieldPanel("fund_name"), FieldPanel("logo")], heading=_("Identity")),
        MultiFieldPanel([FieldPanel("receipt_signature")], heading=_("Receipts")),
        MultiFieldPanel([FieldPanel("footer_text"), FieldPanel("contact_email")], heading=_("Footer")),
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

    def social_links(self):
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("Bluesky", self.bluesky_url),
            ("Mastodon", self.mastodon_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(name, url) for name, url in links if url]
