"""StreamField blocks for campaign, story and standard pages. Images always carry alt text."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("Describe the image for people who cannot see it. Required."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=150)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("video URL"), help_text=_("A YouTube or Vimeo link."))
    title = blocks.CharBlock(label=_("title"), max_length=150, help_text=_("Names the video for screen readers."))
    transcript = blocks.TextBlock(label=_("transcript or description"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "cms/blocks/video.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # Fetching the embed needs the network; a failed lookup falls back to a plain link instead of a broken page.
        try:
            context["embed_html"] = value["video"].html if value["video"] else ""
        except Exception:  # noqa: BLE001 - any oEmbed failure means "show the link"
            context["embed_html"] = ""
        return context


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    button_text = blocks.CharBlock(label=_("button text"), max_length=60)
    page = blocks.PageChooserBlock(label=_("link to page"), required=False)
    url = blocks.URLBlock(label=_("or link to URL"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"


class StatisticBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("figure"), max_length=30, help_text=_("For example 12,400 or $250,000."))
    label = blocks.CharBlock(label=_("what it counts"), max_length=120)
    source = blocks.CharBlock(label=_("source"), required=False, max_length=200)

    class Meta:
        icon = "table"
        label = _("Statistic")
        template = "cms/blocks/statistic.html"


class StoryStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        label=_("Text"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"],
        template="cms/blocks/rich_text.html",
    )
    image = ImageBlock()
    quote = QuoteBlock()
    video = VideoBlock()
    call_to_action = CallToActionBlock()
    statistic = StatisticBlock()


class FAQBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=250)
    answer = blocks.RichTextBlock(label=_("answer"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"
        label = _("Question")


class TimelineBlock(blocks.StructBlock):
    when = blocks.CharBlock(label=_("when"), max_length=80, help_text=_("For example 'Early March'."))
    what = blocks.CharBlock(label=_("what happens"), max_length=250)

    class Meta:
        icon = "date"
        label = _("Timeline step")
