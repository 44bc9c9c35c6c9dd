"""The home page and plain content pages (about, privacy, contact)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from .base import BasePage
from .blocks import StoryStreamBlock
from .campaigns import CampaignPage


class HomePage(BasePage):
    hero_heading = models.CharField(_("hero heading"), max_length=120)
    intro = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(_("hero image alternative text"), max_length=250, blank=True)
    featured_campaign = models.ForeignKey(
        "cms.CampaignPage",
        verbose_name=_("featured campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(StoryStreamBlock(), verbose_name=_("more content"), blank=True)

    live_totals = True
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CampaignIndexPage",
        "cms.FundingIndexPage",
        "cms.GrantsDirectoryPage",
        "cms.ImpactPage",
        "cms.StoryIndexPage",
        "cms.StandardPage",
    ]
    max_count = 1

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_heading"), FieldPanel("intro"), FieldPanel("hero_image"), FieldPanel("hero_image_alt")],
            heading=_("Hero"),
        ),
        FieldPanel("featured_campaign"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("hero_heading"), index.SearchField("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        campaign_page = None
        if self.featured_campaign_id:  # the page, its campaign and fund in one query
            campaign_page = (
                CampaignPage.objects.live()
                .select_related("campaign__fund")
                .filter(pk=self.featured_campaign_id)
                .first()
            )
        context["featured"] = campaign_page
        context["featured_progress"] = selectors.campaign_progress(campaign_page.campaign) if campaign_page else None
        context["open_calls"] = selectors.open_round_pages()
        context["latest_stories"] = selectors.latest_stories(limit=3)
        context["headline"] = selectors.impact_headline(selectors.site_fund(request))
        return context


class StandardPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(StoryStreamBlock(), verbose_name=_("body"), blank=True)

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")
