"""News and grantee stories, with tags. A grantee story is published only with the grantee's consent."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms import translation

from .base import BasePage
from .blocks import StoryStreamBlock

STORIES_PAGE_SIZE = 9


class StoryIndexPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StoryPage"]
    max_count = 1
    content_panels = BasePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("story index page")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        stories = (
            translation.children_in_active_language(StoryPage, self)
            .order_by("-date", "-pk")
            .select_related("hero_image")
        )
        tag = (request.GET.get("tag") or "").strip()[:100]
        if tag:
            stories = stories.filter(tags__slug=tag).distinct()
        page_obj = Paginator(stories, STORIES_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            tag=tag,
            page_obj=page_obj,
            stories=page_obj.object_list,
            querystring=urlencode({"tag": tag}) if tag else "",
        )
        return context


class StoryPageTag(TaggedItemBase):
    content_object = ParentalKey("cms.StoryPage", related_name="tagged_items", on_delete=models.CASCADE)


class StoryPage(BasePage):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("summary"), help_text=_("Shown on cards and in search results."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(_("main image alternative text"), max_length=250, blank=True)
    body = StreamField(StoryStreamBlock(), verbose_name=_("story"), blank=True)
    tags = ClusterTaggableManager(through=StoryPageTag, blank=True, verbose_name=_("tags"))
    is_grantee_story = models.BooleanField(_("this is a grantee's story"), default=False)
    consent_given = models.BooleanField(
        _("the people and organisation in this story consented to its publication"),
        default=False,
    )

    parent_page_types = ["cms.StoryIndexPage"]
    subpage_types = []

    content_panels = BasePage.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("hero_image_alt"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("tags"), FieldPanel("is_grantee_story"), FieldPanel("consent_given")],
            heading=_("About this story"),
        ),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def clean(self):
        super().clean()
        errors = {}
        if self.is_grantee_story and not self.consent_given:
            errors["consent_given"] = _("A grantee story needs the grantee's consent before it can be published.")
        if self.hero_image_id and not self.hero_image_alt.strip():
            errors["hero_image_alt"] = _("Describe the main image for people who cannot see it.")
        if errors:
            raise ValidationError(errors)
