from django.urls import path, re_path
from wagtail.contrib.sitemaps.views import sitemap

from . import cache, views
from .translation import LocalizedSitemap

app_name = "cms"
urlpatterns = [
    path("open-data/grants.json", views.open_data_json, name="open_data_json"),
    path("open-data/grants.csv", views.open_data_csv, name="open_data_csv"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Every language's pages (each translation of the home page is its own tree).
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": LocalizedSitemap}}, name="sitemap"),
    path("search/", views.search, name="search"),
    # Public pages through the page cache; Wagtail's own pattern (after this) still serves its _util/ views.
    re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", cache.serve, name="page"),
]
