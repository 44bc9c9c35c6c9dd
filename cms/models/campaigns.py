"""Campaign pages: the story, live progress towards the goal, the donate form, and the grants the money funded."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms import translation
from fund.models import Campaign

from .base import BasePage
from .blocks import StoryStreamBlock


class CampaignIndexPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    live_totals = True
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CampaignPage"]
    max_count = 1
    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("campaign index page")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        pages = list(
            translation.children_in_active_language(CampaignPage, self).select_related("campaign__fund", "hero_image")
        )
        context["campaign_cards"] = [(page, selectors.campaign_progress(page.campaign)) for page in pages]
        return context


class CampaignPage(BasePage):
    campaign = models.ForeignKey(
        "fund.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="pages",
        help_text=_("Gifts made on this page go to this campaign; its goal and totals show here."),
    )
    intro = models.TextField(_("summary"), help_text=_("One or two sentences: shown at the top and on cards."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(
        _("main image alternative text"),
        max_length=250,
        blank=True,
        help_text=_("Required when there is a main image."),
    )
    body = StreamField(StoryStreamBlock(), verbose_name=_("story"), blank=True)

    live_totals = True
    parent_page_types = ["cms.CampaignIndexPage"]
    subpage_types = []

    content_panels = BasePage.content_panels + [
        FieldPanel("campaign"),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("hero_image_alt"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("campaign page")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.hero_image_id and not self.hero_image_alt.strip():
            raise ValidationError({"hero_image_alt": _("Describe the main image for people who cannot see it.")})

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        if not CampaignPage.campaign.is_cached(self):  # the campaign and its fund in one query
            self.campaign = Campaign.objects.select_related("fund").get(pk=self.campaign_id)
        context["progress"] = selectors.campaign_progress(self.campaign)
        context["donate"] = selectors.donate_form_context(request, self.campaign)
        context["funded_grants"] = selectors.grants_funded_by_campaign(self.campaign)
        return context
