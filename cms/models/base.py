"""What every public page shares: social image, meta description, search, cache lifetime."""

from django.db import models
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, PageViewRestriction

from cms import translation


class BasePage(Page):
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("social sharing image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared. Defaults to the page's main image."),
    )

    # Pages that show live donation totals are cached briefly even if an invalidation is missed (see cms/cache.py).
    live_totals = False

    promote_panels = Page.promote_panels + [FieldPanel("social_image")]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A page served under another language's prefix (no translation yet) says so and marks its content's language;
        # its translations give the hreflang alternates (one query for both).
        translations = translation.page_translations(self)
        own = next((item for item in translations if item.pk == self.pk), None)
        content_language = ((own.locale if own else self.locale).language_code or "").split("-")[0]
        context["content_language"] = content_language
        context["content_fallback"] = content_language != (get_language() or "").split("-")[0]
        context["page_alternates"] = translation.page_alternates(self, request, translations)
        return context

    def get_view_restrictions(self):
        """Wagtail's, read once per page instance (Wagtail's serve checks them and the page cache asks again before
        storing the page), in one query when routing already read the ancestors (cms/routing.py)."""
        restrictions = self.__dict__.get("_view_restrictions")
        if restrictions is None:
            targets = getattr(self, "_restriction_page_ids", None)
            if targets is not None:
                restrictions = PageViewRestriction.objects.filter(page_id__in=targets)
            else:
                restrictions = super().get_view_restrictions()
            len(restrictions)  # evaluated: iterating it again or asking .exists() reads no more
            self._view_restrictions = restrictions
        return restrictions

    def get_meta_description(self):
        text = self.search_description or getattr(self, "intro", "") or ""
        return Truncator(text).chars(160)

    def get_og_image(self):
        return self.social_image or getattr(self, "hero_image", None)
