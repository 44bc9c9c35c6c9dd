"""Page types: where each may be created, and that each renders with demo-like content."""

import pytest
from wagtail.models import Page

from cms.models import (
    CampaignIndexPage,
    CampaignPage,
    FundingIndexPage,
    FundingRoundPage,
    GrantsDirectoryPage,
    HomePage,
    ImpactPage,
    StandardPage,
    StoryIndexPage,
    StoryPage,
)

pytestmark = pytest.mark.django_db

ALLOWED = [
    (HomePage, Page),
    (CampaignIndexPage, HomePage),
    (CampaignPage, CampaignIndexPage),
    (FundingIndexPage, HomePage),
    (FundingRoundPage, FundingIndexPage),
    (GrantsDirectoryPage, HomePage),
    (ImpactPage, HomePage),
    (StoryIndexPage, HomePage),
    (StoryPage, StoryIndexPage),
    (StandardPage, HomePage),
    (StandardPage, StandardPage),
]
FORBIDDEN = [
    (CampaignPage, HomePage),
    (StoryPage, HomePage),
    (FundingRoundPage, HomePage),
    (HomePage, HomePage),
    (CampaignPage, StoryIndexPage),
    (StoryPage, CampaignIndexPage),
    (GrantsDirectoryPage, StandardPage),
]


@pytest.mark.parametrize(("child", "parent"), ALLOWED)
def test_page_type_may_be_created_under_its_parent(child, parent):
    assert child in parent.allowed_subpage_models()
    assert parent in child.allowed_parent_page_models()


@pytest.mark.parametrize(("child", "parent"), FORBIDDEN)
def test_page_type_cannot_be_created_elsewhere(child, parent):
    assert child not in parent.allowed_subpage_models()


def test_only_one_home_page_can_exist(site):
    assert not HomePage.can_create_at(Page.get_first_root_node())


PAGES = [
    ("/", "Community-led answers to the overdose crisis"),
    ("/campaigns/", "Naloxone in Every Pocket"),
    ("/campaigns/naloxone-in-every-pocket/", "It brought my neighbour back."),
    ("/funding/", "2026 Community-Led Response Grants"),
    ("/funding/2026-community/", "Check eligibility / Apply"),
    ("/funding/2025-harm-reduction/", "This call is closed."),
    ("/grants/", "Who we fund"),
    ("/impact/", "Money in and out"),
    ("/stories/", "On the road with the outreach van"),
    ("/stories/outreach-van/", "Grantee story, shared with consent"),
    ("/about/", "Who we are."),
]


def test_every_page_type_renders_for_a_visitor_with_one_h1_and_seo_tags(client, site):
    for path, text in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert text in html, path
        assert html.count("<h1") == 1, path
        assert '<link rel="canonical"' in html, path
        assert 'property="og:title"' in html, path
        assert '<meta name="description"' in html, path


def test_open_round_links_to_the_apply_path_and_shows_the_deadline_in_utc_for_the_browser(client, site):
    html = client.get("/funding/2026-community/").content.decode()
    closes = site["open_round"].closes_at
    assert 'href="/apply/2026-community/"' in html
    assert closes.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M") in html
    assert "data-localtime" in html


def test_closed_round_says_so_and_has_no_apply_button(client, site):
    html = client.get("/funding/2025-harm-reduction/").content.decode()
    assert "This call is closed." in html
    assert "/apply/2025-harm-reduction/" not in html
    assert "Eight grants were awarded." in html


def test_campaign_page_shows_an_accessible_progress_bar_and_days_left(client, site):
    html = client.get("/campaigns/naloxone-in-every-pocket/").content.decode()
    assert '<progress class="progress-bar" max="100" value="0"' in html
    assert "$250,000.00" in html
    assert "days left" in html


def test_grantee_story_cannot_be_saved_without_consent(site):
    from django.core.exceptions import ValidationError

    story = site["story"]
    story.consent_given = False
    with pytest.raises(ValidationError) as excinfo:
        story.full_clean()
    assert "consent_given" in excinfo.value.message_dict


def test_campaign_main_image_needs_alt_text(site):
    from django.core.exceptions import ValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    page = site["campaign_page"]
    page.hero_image = Image.objects.create(title="Kits", file=get_test_image_file())
    page.hero_image_alt = ""
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert "hero_image_alt" in excinfo.value.message_dict


def test_image_block_requires_alt_text():
    from wagtail.blocks import StructBlockValidationError

    from cms.models.blocks import ImageBlock

    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as excinfo:
        block.clean(block.to_python({"image": None, "alt_text": "", "caption": ""}))
    assert "alt_text" in excinfo.value.block_errors


def test_story_index_filters_by_tag(client, site):
    from tests.factories.cms import add_page

    tagged = add_page(site["stories"], StoryPage, title="Drug checking results", slug="drug-checking", intro="Results.")
    tagged.tags.add("drug checking")
    tagged.save()
    html = client.get("/stories/?tag=drug-checking").content.decode()
    assert "Drug checking results" in html
    assert "On the road with the outreach van" not in html


def test_site_search_finds_published_pages(client, site):
    from wagtail.search import index

    index.insert_or_update_object(site["story"])
    html = client.get("/search/?q=outreach").content.decode()
    assert "On the road with the outreach van" in html


def test_sitemap_and_robots_list_the_public_pages(client, site):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/campaigns/naloxone-in-every-pocket/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots


def test_footer_shows_the_fund_legal_identity_from_site_settings(client, site):
    from wagtail.models import Site

    from cms.models import SiteSettings

    settings_obj = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings_obj.fund = site["fund"]
    settings_obj.save()
    html = client.get("/about/").content.decode()
    assert site["fund"].legal_name in html
    assert site["fund"].charity_number in html
