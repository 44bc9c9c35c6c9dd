"""Public non-page views: open data, robots.txt, site search. Pages themselves are served through cms.cache."""

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.models import Page

from portal.search import MAX_QUERY_LENGTH, search_terms

from . import opendata, selectors
from .cache import cached_view
from .translation import search_scope_in_active_language

OPEN_DATA_SECONDS = 300
SEARCH_PAGE_SIZE = 10


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
@cached_view(OPEN_DATA_SECONDS)
def open_data_json(request):
    response = JsonResponse(
        opendata.grants_package(base_url=_base_url(request)), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cached_view(OPEN_DATA_SECONDS)
def open_data_csv(request):
    response = HttpResponse(opendata.grants_csv(base_url=_base_url(request)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grants-360giving.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /dashboard/",
        "Disallow: /organisations/",
        "Disallow: /reviews/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def search(request):
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    terms = search_terms(query)  # quotes, operators and long input never reach the database's search syntax
    results = Page.objects.none()
    grants, organisations = [], []
    if terms:
        # Each page once, in the visitor's language (or in English while it has no translation in theirs).
        results = search_scope_in_active_language(Page.objects.live().public()).specific().search(terms, operator="and")
        grants = selectors.search_grants(terms)
        organisations = selectors.search_organisations(terms)
    page_obj = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "page_obj": page_obj,
            "grants": grants,
            "organisations": organisations,
            "robots_noindex": True,
        },
    )
