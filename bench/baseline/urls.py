"""Two bare views: GET /page/<name>/ returns a file's bytes (and type); POST /post/ reads the body and answers 200."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

PAGES = {}


def page(request, name):
    if name not in PAGES:  # read once per process, like a cache hit that never misses
        folder = settings.BENCH_PAGES_DIR
        PAGES[name] = ((folder / f"{name}.body").read_bytes(), (folder / f"{name}.type").read_text())
    body, content_type = PAGES[name]
    return HttpResponse(body, content_type=content_type)


@csrf_exempt
@require_POST
def post(request):
    request.body  # noqa: B018 - read it, as a webhook endpoint does
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("page/<slug:name>/", page), path("post/", post)]
