"""Demo: the public site (runs last). Builds the page tree under a HomePage that becomes the default Site's root.

Deterministic (images drawn from a fixed seed, dates relative to ctx.today) and idempotent (pages found by slug,
images by title, the alert by its message).
"""

import io
from datetime import datetime, time, timedelta

from django.utils import timezone

from . import demo_content as content
from . import demo_translations
from .editors import grant_editor_permissions


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _image(ctx, key):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from PIL import ImageDraw
    from wagtail.images.models import Image

    title, alt, (dark, light) = content.IMAGES[key]
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    rng = ctx.rng_for(f"cms-image-{key}")
    width, height = 1200, 675
    picture = PILImage.new("RGB", (width, height), light)
    draw = ImageDraw.Draw(picture)
    for _i in range(14):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(40, 220)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=dark if rng.random() < 0.5 else "#ffffff")
    draw.rectangle((0, height - 90, width, height), fill=dark)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    image = Image(title=title, description=alt)
    image.file = ImageFile(buffer, name=f"demo-{key}.png")
    image.save()
    ctx.note("images", True)
    return image


def _stream(ctx, items):
    """StreamField data in its stored JSON form; ("image", key) entries become image blocks with alt text."""
    import json

    data = []
    for block_type, value in items:
        if block_type == "image":
            image = _image(ctx, value)
            title, alt, _colours = content.IMAGES[value]
            value = {"image": image.pk, "alt_text": alt, "caption": title}
        elif block_type == "call_to_action":
            value = {"page": None, **value}
        data.append({"type": block_type, "value": value})
    return json.dumps(data)


def _child(ctx, parent, model, slug, **fields):
    """The published child page with this slug, created on the first run only."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    ctx.note("pages", True)
    return page


def _home(ctx):
    from wagtail.models import Page, Site

    from .models import HomePage

    home = HomePage.objects.first()
    root = Page.get_first_root_node()
    if home is None:
        hero = _image(ctx, "hero")
        home = HomePage(
            title=content.HOME["title"],
            slug="millbrook",
            hero_heading=content.HOME["hero_heading"],
            intro=content.HOME["intro"],
            hero_image=hero,
            hero_image_alt=content.IMAGES["hero"][1],
            seo_title="Millbrook Community Resilience Fund: community-led answers to the overdose crisis",
            search_description=content.HOME["intro"][:160],
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        ctx.note("pages", True)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Millbrook")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.hostname, site.port, site.site_name = "localhost", 80, "Millbrook"
        site.save()
    # Wagtail's placeholder "Welcome" page is no longer reachable: remove it if nobody built under it.
    for stale in root.get_children().exclude(pk=home.pk).filter(content_type__model="page", numchild=0):
        stale.delete()
    return home, Site.objects.get(is_default_site=True)


def seed(ctx):
    from fund.models import Fund

    from .models import (
        Alert,
        CampaignIndexPage,
        CampaignPage,
        FundingIndexPage,
        FundingRoundPage,
        GrantsDirectoryPage,
        ImpactPage,
        SiteSettings,
        StandardPage,
        StoryIndexPage,
        StoryPage,
    )

    grant_editor_permissions()
    fund = ctx.objects.get("fund") or Fund.objects.filter(is_default=True).first()
    home, site = _home(ctx)

    settings_obj = SiteSettings.for_site(site)
    if not settings_obj.fund_id:
        settings_obj.fund = fund
        settings_obj.fund_name = fund.name if fund else content.HOME["title"]
        settings_obj.footer_text = (
            "Millbrook Community Resilience Fund: pooled giving for community-led responses to the overdose crisis. "
            "A project of the Millbrook Community Foundation."
        )
        settings_obj.contact_email = "hello@millbrook-fund.example"
        settings_obj.bluesky_url = "https://bsky.app/profile/millbrook-fund.example"
        settings_obj.instagram_url = "https://www.instagram.com/millbrookfund.example/"
        settings_obj.save()

    # Campaigns
    campaigns_index = _child(
        ctx,
        home,
        CampaignIndexPage,
        "campaigns",
        title="Campaigns",
        intro="Give to a campaign and your gift goes exactly where it says.",
    )
    campaign_pages = {}
    for key, campaign in ctx.objects.get("campaigns", {}).items():
        words = content.CAMPAIGNS.get(key, {"intro": campaign.summary or campaign.title, "story": []})
        image_key = "naloxone" if key == "naloxone" else "winter"
        campaign_pages[key] = _child(
            ctx,
            campaigns_index,
            CampaignPage,
            campaign.slug,
            title=campaign.title,
            campaign=campaign,
            intro=words["intro"],
            hero_image=_image(ctx, image_key),
            hero_image_alt=content.IMAGES[image_key][1],
            body=_stream(ctx, words["story"]),
            search_description=words["intro"][:160],
        )
    featured = campaign_pages.get("naloxone") or next(iter(campaign_pages.values()), None)
    if featured and home.featured_campaign_id is None:
        home.featured_campaign = featured
        home.save_revision().publish()

    # Calls for proposals
    funding_index = _child(
        ctx,
        home,
        FundingIndexPage,
        "funding",
        title="Funding",
        intro="We fund community-led work on the overdose crisis in Millbrook. Here is what is open now.",
    )
    for funding_round in ctx.objects.get("rounds", {}).values():
        if funding_round.is_accepting_applications():
            words = content.ROUND_PAGES["rolling" if funding_round.is_rolling else "open"]
        else:
            words = content.ROUND_PAGES["closed"]
        _child(
            ctx,
            funding_index,
            FundingRoundPage,
            funding_round.slug,
            title=funding_round.title,
            funding_round=funding_round,
            intro=words["intro"],
            what_we_fund=words["what_we_fund"],
            eligibility=words["eligibility"],
            results=words.get("results", ""),
            timeline=_stream(ctx, [("step", {"when": w, "what": t}) for w, t in words["timeline"]]),
            faqs=_stream(ctx, [("faq", {"question": q, "answer": a}) for q, a in words["faqs"]]),
        )

    _child(
        ctx,
        home,
        GrantsDirectoryPage,
        "grants",
        title="Who we fund",
        intro="Every grant we have made: who, how much, for what and where. Some organisations ask not to be named; "
        "we list them as a community organisation.",
    )
    _child(
        ctx,
        home,
        ImpactPage,
        "impact",
        title="Our impact",
        intro="Where the money came from, where it went, and what grantees report it achieved.",
    )

    # Stories
    story_index = _child(
        ctx,
        home,
        StoryIndexPage,
        "stories",
        title="Stories",
        intro="News from the fund and stories from the people we fund, shared with their consent.",
    )
    for offset, (slug, title, intro, tags, grantee, image_key, paragraphs, quote) in enumerate(content.STORIES):
        if story_index.get_children().filter(slug=slug).exists():
            continue
        body = [("rich_text", "".join(f"<p>{p}</p>" for p in paragraphs))]
        if quote:
            body.append(("quote", {"quote": quote[0], "attribution": quote[1]}))
        story = StoryPage(
            slug=slug,
            title=title,
            intro=intro,
            date=ctx.today - timedelta(days=9 * offset + 2),
            hero_image=_image(ctx, image_key),
            hero_image_alt=content.IMAGES[image_key][1],
            body=_stream(ctx, body),
            is_grantee_story=grantee,
            consent_given=grantee,
            search_description=intro[:160],
        )
        story_index.add_child(instance=story)
        story.tags.add(*tags)
        story.save_revision().publish()
        ctx.note("pages", True)

    for slug, title, intro, html in content.ABOUT:
        _child(ctx, home, StandardPage, slug, title=title, intro=intro, body=_stream(ctx, [("rich_text", html)]))

    alert, created = Alert.objects.get_or_create(
        message=content.ALERT_MESSAGE,
        defaults={
            "severity": Alert.Severity.CRITICAL,
            "starts_at": _at(ctx.today, 0),
            "expires_at": _at(ctx.today + timedelta(days=7), 0),
            "link_url": "https://millbrook-fund.example/stories/drug-checking-results/",
            "link_text": "What drug checking found",
            "live": True,
        },
    )
    ctx.note("alerts", created)
    ctx.objects["home_page"] = home
    # The public site in Spanish (home, campaigns, the open call, stories, about), with the alert and footer.
    demo_translations.seed(ctx, home=home, stream=lambda items: _stream(ctx, items))
    _index_pages(home)


def _index_pages(home):
    """Index the site now: Wagtail queues index updates as tasks, and the demo should be searchable before the worker runs."""
    from wagtail.models import Page
    from wagtail.search import index

    for root in Page.objects.filter(translation_key=home.translation_key):  # every language's home
        for page in root.get_descendants(inclusive=True).live().specific():
            index.insert_or_update_object(page)
