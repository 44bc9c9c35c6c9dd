"""The page cache answers hits first, before every other middleware, with the headers the whole stack gave the page
when it was rendered: the same security headers, a per-visitor CSRF token that validates, one key per language and
scheme, nothing else run."""

import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from cms import cache as page_cache
from tests.cms.test_page_cache_speed import CountingCache

pytestmark = pytest.mark.django_db

ABOUT = "/about/"
CAMPAIGN = "/campaigns/naloxone-in-every-pocket/"
# Headers that belong to one response: everything else a hit sends must equal what the miss sent.
PER_RESPONSE = {"Content-Length", "X-Page-Cache", "Date"}
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Frame-Options",
    "Permissions-Policy",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Content-Type-Options",
)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

calls = []


class Sentinel:
    """Placed right below the page cache: counts the requests that go down the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        calls.append(request.path)
        return self.get_response(request)


@pytest.fixture
def https(settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


@pytest.fixture
def sentinel(settings):
    assert settings.MIDDLEWARE[0] == "cms.cache.PageCacheMiddleware"
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], f"{__name__}.Sentinel", *settings.MIDDLEWARE[1:]]
    calls.clear()
    return calls


def _headers(response):
    return {name: value for name, value in response.items() if name not in PER_RESPONSE}


@pytest.mark.parametrize("path", [ABOUT, "/", CAMPAIGN, "/open-data/grants.json", "/es/"])
def test_a_hit_carries_exactly_the_headers_of_the_miss(site, https, path):
    visitor = Client()
    miss, hit = visitor.get(path, secure=True), visitor.get(path, secure=True)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for name in SECURITY_HEADERS:
        assert miss.get(name), f"the miss lacks {name}"
    assert _headers(hit) == _headers(miss)
    assert TOKEN.sub("", hit.content.decode()) == TOKEN.sub("", miss.content.decode())


def test_a_hit_makes_no_query_and_runs_no_other_middleware(site, sentinel):
    visitor = Client()
    visitor.get(CAMPAIGN)
    visitor.get(CAMPAIGN)  # the first hit renders the live figures once (cms/live.py), the next ones read them
    assert sentinel == [CAMPAIGN]
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(CAMPAIGN)
    assert response["X-Page-Cache"] == "hit"
    assert sentinel == [CAMPAIGN]  # nothing below the page cache ran: no session, auth, locale, CSRF middleware
    assert len(queries) == 0
    assert Client().get("/accounts/login/").status_code == 200  # other views go down the stack
    assert sentinel == [CAMPAIGN, "/accounts/login/"]


def test_a_new_visitor_gets_a_csrf_cookie_on_a_hit_and_the_forms_token_validates(site):
    Client().get(CAMPAIGN)  # stored
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(CAMPAIGN)
    assert response["X-Page-Cache"] == "hit"
    token = TOKEN.search(response.content.decode())
    assert token, "the campaign page embeds the donate form"
    assert page_cache.CSRF_PLACEHOLDER not in response.content.decode()
    cookie = response.cookies["csrftoken"]
    assert cookie.value and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    action = re.search(r'<form method="post" action="([^"]+)" class="donate-form"', response.content.decode())
    url = action.group(1).replace("&amp;", "&")
    assert visitor.post(url, {"csrfmiddlewaretoken": token.group(1)}).status_code != 403
    assert visitor.post(url, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403  # the check is on


def test_a_returning_visitor_keeps_their_csrf_cookie_on_a_hit(site):
    from django.middleware.csrf import _unmask_cipher_token

    visitor = Client()
    first = visitor.get(CAMPAIGN)
    secret = first.cookies["csrftoken"].value
    response = visitor.get(CAMPAIGN)
    assert response["X-Page-Cache"] == "hit"
    assert _unmask_cipher_token(TOKEN.search(response.content.decode()).group(1)) == secret


def test_each_language_has_its_own_cached_copy(site):
    for path in ("/", "/es/", "/fr/"):
        Client().get(path)
    english, spanish = Client().get("/"), Client().get("/es/")
    assert english["X-Page-Cache"] == spanish["X-Page-Cache"] == "hit"
    assert (english["Content-Language"], spanish["Content-Language"]) == ("en", "es")
    assert english.content != spanish.content
    assert page_cache.path_language("/es/") == "es" and page_cache.path_language("/about/") == "en"


def test_live_figures_keep_the_language_they_were_rendered_in(site):
    """/es/ shows the untranslated English home page: its figures stay English on a hit, as on the miss."""
    visitor = Client()
    miss, hit = visitor.get("/es/"), visitor.get("/es/")
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == miss.content


def test_http_and_https_are_cached_apart_so_hsts_never_goes_over_http(site, https):
    visitor = Client()
    visitor.get(ABOUT, secure=True)
    assert "Strict-Transport-Security" in visitor.get(ABOUT, secure=True)
    plain = visitor.get(ABOUT)
    assert plain["X-Page-Cache"] == "miss"
    assert "Strict-Transport-Security" not in plain


def test_plain_http_is_redirected_not_answered_when_ssl_redirect_is_on(site, settings):
    settings.SECURE_SSL_REDIRECT = True
    visitor = Client()
    visitor.get(ABOUT, secure=True)
    assert visitor.get(ABOUT, secure=True)["X-Page-Cache"] == "hit"
    response = visitor.get(ABOUT)
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_a_page_with_live_figures_is_read_in_one_round_trip_once_its_figures_are_known(site, monkeypatch):
    counting = CountingCache(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", counting)
    monkeypatch.setattr(page_cache.live, "cache", counting)
    visitor = Client()
    visitor.get("/")
    visitor.get("/")  # the first hit learns the figures' keys
    counting.reads.clear()
    response = visitor.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert counting.reads == ["get_many"]


def test_a_response_whose_policy_has_a_nonce_is_not_stored(site):
    request = RequestFactory().get(ABOUT)
    key = page_cache.cache_key(request)
    response = HttpResponse(b"<p>page</p>")
    response["Content-Security-Policy"] = "style-src 'self' 'nonce-abc'"
    page_cache._store_final(request, response, page_cache.PendingEntry(key, 1, 60, b"<p>page</p>", False))
    assert page_cache.cache.get(key) is None
    del response["Content-Security-Policy"]
    page_cache._store_final(request, response, page_cache.PendingEntry(key, 1, 60, b"<p>page</p>", False))
    assert page_cache.cache.get(key) is not None


class NoCache:
    def __getattr__(self, name):
        raise AssertionError("static files must not read the page cache")


def test_static_urls_never_read_the_page_cache(site, monkeypatch):
    monkeypatch.setattr(page_cache, "cache", NoCache())
    request = RequestFactory().get("/static/css/site.bundle.css")
    assert page_cache.cached_response(request) is None


@pytest.fixture
def wsgi_app():
    """portal.wsgi's arrangement around Django's handler (without the connection recycling the test's transaction
    could not survive, as Django's test client does)."""
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections

    handler = WSGIHandler()
    inner_calls = []

    def django_app(environ, start_response):
        inner_calls.append(environ["PATH_INFO"])
        return handler(environ, start_response)

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield page_cache.PageCacheWSGI(django_app), inner_calls
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _call(app, path, **extra):
    environ = RequestFactory().get(path, secure=True, **extra).environ
    answer = {}
    body = app(environ, lambda status, headers, exc_info=None: answer.update(status=status, headers=headers))
    content = b"".join(body)
    getattr(body, "close", lambda: None)()
    return answer["status"], answer["headers"], content


def test_the_wsgi_front_answers_hits_without_django_with_the_headers_of_the_miss(site, https, wsgi_app):
    app, inner_calls = wsgi_app
    status, miss_headers, miss_body = _call(app, CAMPAIGN)
    assert status == "200 OK" and inner_calls == [CAMPAIGN]
    status, hit_headers, hit_body = _call(app, CAMPAIGN)
    assert status == "200 OK"
    assert inner_calls == [CAMPAIGN]  # Django's handler never saw the hit
    miss, hit = dict(miss_headers), dict(hit_headers)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert {k: v for k, v in hit.items() if k not in PER_RESPONSE | {"Set-Cookie"}} == {
        k: v for k, v in miss.items() if k not in PER_RESPONSE | {"Set-Cookie"}
    }
    assert "Strict-Transport-Security" in hit
    assert hit["Set-Cookie"].startswith(" csrftoken=") or hit["Set-Cookie"].startswith("csrftoken=")
    assert int(hit["Content-Length"]) == len(hit_body)
    assert TOKEN.sub("", hit_body.decode()) == TOKEN.sub("", miss_body.decode())
    status, _headers, _body = _call(app, CAMPAIGN, QUERY_STRING="utm=1")
    assert inner_calls == [CAMPAIGN, CAMPAIGN]  # not cacheable: Django answers


def test_the_wsgi_front_passes_everything_on_when_the_cache_is_down(site, wsgi_app, monkeypatch):
    class Down:
        def __getattr__(self, name):
            raise ConnectionError("redis is down")

    app, inner_calls = wsgi_app
    _call(app, ABOUT)
    monkeypatch.setattr(page_cache, "cache", Down())
    status, headers, _body = _call(app, ABOUT)
    assert status == "200 OK" and inner_calls == [ABOUT, ABOUT]
    assert dict(headers).get("X-Page-Cache") != "hit"


@pytest.fixture
def local_second(settings, monkeypatch):
    """Hits kept in the process for one second, on a clock the test moves."""
    settings.CMS_PAGE_LOCAL_SECONDS = 1
    page_cache.forget_recent()
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    counting = CountingCache(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", counting)
    monkeypatch.setattr(page_cache.live, "cache", counting)
    yield clock, counting
    page_cache.forget_recent()


def test_a_page_asked_again_within_the_local_second_costs_no_cache_round_trip(site, local_second):
    clock, counting = local_second
    visitor = Client()
    visitor.get(CAMPAIGN)  # the miss
    assert visitor.get(CAMPAIGN)["X-Page-Cache"] == "hit"
    counting.reads.clear()
    again = visitor.get(CAMPAIGN)
    assert again["X-Page-Cache"] == "hit" and counting.reads == []
    # Each answer still has the visitor's own freshly masked token.
    assert TOKEN.search(again.content.decode()).group(1) != TOKEN.search(visitor.get(CAMPAIGN).content.decode()).group(
        1
    )
    clock[0] += 1.01  # a second later: the cache is read again
    assert visitor.get(CAMPAIGN)["X-Page-Cache"] == "hit" and counting.reads == ["get_many"]


def test_retiring_pages_in_this_process_forgets_its_local_hits_at_once(site, local_second):
    visitor = Client()
    visitor.get(ABOUT)
    assert visitor.get(ABOUT)["X-Page-Cache"] == "hit"
    page_cache.invalidate_pages()  # a publish, an alert saved...
    assert visitor.get(ABOUT)["X-Page-Cache"] == "miss"


def test_another_process_retiring_pages_is_seen_within_the_local_second(site, local_second):
    clock, _counting = local_second
    visitor = Client()
    visitor.get(ABOUT)
    assert visitor.get(ABOUT)["X-Page-Cache"] == "hit"
    page_cache.cache.incr(page_cache.GENERATION_KEY)  # another process retired every page: ours is not told
    assert visitor.get(ABOUT)["X-Page-Cache"] == "hit"  # still within the second
    clock[0] += 1.01
    assert visitor.get(ABOUT)["X-Page-Cache"] == "miss"
