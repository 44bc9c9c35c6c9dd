"""Calls for proposals: one page per grants FundingRound, with the deadline in the visitor's time zone."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from cms import translation

from .base import BasePage
from .blocks import FAQBlock, TimelineBlock

RICH_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class FundingIndexPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.FundingRoundPage"]
    max_count = 1
    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("funding index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = list(
            translation.children_in_active_language(FundingRoundPage, self).select_related("funding_round__fund")
        )
        context["open_pages"] = [p for p in pages if p.funding_round.is_accepting_applications()]
        context["closed_pages"] = [p for p in pages if not p.funding_round.is_accepting_applications()]
        return context


class FundingRoundPage(BasePage):
    funding_round = models.ForeignKey(
        "grants.FundingRound",
        verbose_name=_("funding round"),
        on_delete=models.PROTECT,
        related_name="pages",
        help_text=_("Dates, amounts and the Apply button come from the round."),
    )
    intro = models.TextField(_("summary"))
    what_we_fund = RichTextField(_("what we fund"), features=RICH_FEATURES, blank=True)
    eligibility = RichTextField(_("who can apply"), features=RICH_FEATURES, blank=True)
    timeline = StreamField([("step", TimelineBlock())], verbose_name=_("timeline"), blank=True)
    faqs = StreamField([("faq", FAQBlock())], verbose_name=_("frequently asked questions"), blank=True)
    results = RichTextField(
        _("results"),
        features=RICH_FEATURES,
        blank=True,
        help_text=_("Shown once the round has closed."),
    )

    parent_page_types = ["cms.FundingIndexPage"]
    subpage_types = []

    content_panels = BasePage.content_panels + [
        FieldPanel("funding_round"),
        FieldPanel("intro"),
        FieldPanel("what_we_fund"),
        FieldPanel("eligibility"),
        FieldPanel("timeline"),
        FieldPanel("faqs"),
        FieldPanel("results"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("what_we_fund"),
        index.SearchField("eligibility"),
    ]

    class Meta:
        verbose_name = _("funding round page")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        funding_round = self.funding_round
        context["round"] = funding_round
        context["is_open"] = funding_round.is_accepting_applications()
        context["apply_url"] = reverse("grants:round_eligibility", args=[funding_round.slug])  # in the page's language
        context["round_grants"] = [] if context["is_open"] else selectors.grants_for_round(funding_round)
        return context
