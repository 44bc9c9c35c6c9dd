"""The public site's page types, blocks, alert snippet and site settings (one public surface)."""

from .campaigns import CampaignIndexPage, CampaignPage
from .directory import GrantsDirectoryPage, ImpactPage
from .funding import FundingIndexPage, FundingRoundPage
from .pages import HomePage, StandardPage
from .settings import SiteSettings
from .snippets import Alert
from .stories import StoryIndexPage, StoryPage, StoryPageTag

__all__ = [
    "Alert",
    "CampaignIndexPage",
    "CampaignPage",
    "FundingIndexPage",
    "FundingRoundPage",
    "GrantsDirectoryPage",
    "HomePage",
    "ImpactPage",
    "SiteSettings",
    "StandardPage",
    "StoryIndexPage",
    "StoryPage",
    "StoryPageTag",
]
