"""Public pages never skip a heading level (the Nu HTML checker and screen-reader users both trip on it)."""

import re

import pytest

PUBLIC_PAGES = [
    "/",
    "/campaigns/",
    "/campaigns/naloxone-in-every-pocket/",
    "/funding/",
    "/funding/2026-community/",
    "/grants/",
    "/impact/",
    "/stories/",
    "/stories/outreach-van/",
    "/about/",
]


def heading_levels(html):
    return [int(level) for level in re.findall(r"<h([1-6])\b", html)]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_headings_never_skip_a_level(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    levels = heading_levels(response.content.decode())
    assert levels[0] == 1, levels
    for previous, level in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, f"{path}: h{previous} then h{level} in {levels}"


def test_index_cards_are_headed_one_level_under_the_page_title(client, site):
    for path, title in [
        ("/campaigns/", "Naloxone in Every Pocket"),
        ("/stories/", "On the road with the outreach van"),
    ]:
        html = client.get(path).content.decode()
        assert re.search(rf"<h2><a href=\"[^\"]+\">{title}</a></h2>", html), path
