"""Benchmark the cached campaign page against a bare Django view returning the same bytes.

One gunicorn (bench/gunicorn.conf.py: 2 sync workers) on loopback serves both: the real campaign page (Wagtail page
behind cms.cache) and `/__bench__/bare/`, a plain Django view returning the campaign page's bytes through the same
middleware. wrk (or, without wrk, a small Python load generator) runs 32 connections for a fixed time against each;
the script prints requests per second and p99 latency side by side.

    .venv/bin/python bench/campaign_page.py                      # throwaway SQLite database with a small site
    .venv/bin/python bench/campaign_page.py --duration 20
    .venv/bin/python bench/campaign_page.py --database-url sqlite:////tmp/demo.sqlite3 --path /campaigns/naloxone-in-every-pocket/

Targets (issue 8): campaign page at >= 80% of the bare view's req/s, p99 under 50 ms.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- Inside gunicorn: this module is the WSGI app and the URLconf -------------------------------------------------

if os.environ.get("BENCH_ROLE") == "server":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    import django  # noqa: E402
    from django.conf import settings  # noqa: E402
    from django.core.wsgi import get_wsgi_application  # noqa: E402

    django.setup(set_prefix=False)
    if (
        os.environ.get("BENCH_PAGE_CACHE_MIDDLEWARE") == "1"
        and "cms.cache.PageCacheMiddleware" not in settings.MIDDLEWARE
    ):
        # What docs/cms.md recommends: cached pages answered right after the CSRF middleware.
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(
            middleware.index("django.middleware.csrf.CsrfViewMiddleware") + 1, "cms.cache.PageCacheMiddleware"
        )
        settings.MIDDLEWARE = middleware
    application = get_wsgi_application()
    settings.ROOT_URLCONF = "bench.campaign_page"

    from django.http import HttpResponse  # noqa: E402
    from django.urls import path  # noqa: E402

    import portal.urls  # noqa: E402

    _BARE = Path(os.environ["BENCH_BARE_FILE"]).read_bytes()

    def bare_view(request):
        return HttpResponse(_BARE, content_type="text/html; charset=utf-8")

    urlpatterns = [path("__bench__/bare/", bare_view)] + portal.urls.urlpatterns


# --- The driver ----------------------------------------------------------------------------------------------------


def run(cmd, env):
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


def build_site(env):
    """Migrate a fresh database and build the small test site (one campaign page) into it."""
    run([sys.executable, "manage.py", "migrate", "-v0", "--noinput"], env)
    script = "from tests.factories.cms import make_site;from cms.editors import grant_editor_permissions;make_site()"
    run([sys.executable, "manage.py", "shell", "-c", script], env)


def wait_until_up(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


def wrk(url, duration, connections):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * factor, int(errors.group(1)) if errors else 0


def python_load(url, duration, connections):
    """Fallback load generator: `connections` threads, each looping over keep-alive-less GETs until time is up."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    latencies, errors, lock = [], [0], threading.Lock()
    stop = time.time() + duration

    def worker():
        local = []
        while time.time() < stop:
            started = time.perf_counter()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                conn.request("GET", parts.path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except Exception:  # noqa: BLE001
                errors[0] += 1
            finally:
                conn.close()
            local.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return len(latencies) / duration, p99, errors[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="use this database (it must already hold a site with the campaign page)")
    parser.add_argument("--path", default="/campaigns/naloxone-in-every-pocket/")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument(
        "--with-middleware",
        action="store_true",
        help="also add cms.cache.PageCacheMiddleware after CsrfViewMiddleware (if settings do not already have it)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-campaign-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "VAR_DIR": str(workdir),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "BENCH_PAGE_CACHE_MIDDLEWARE": "1" if args.with_middleware else "0",
    }
    if not args.database_url:
        print("Building a throwaway site database…", flush=True)
        build_site(env)

    base = f"http://127.0.0.1:{args.port}"
    page_url = base + args.path
    bare_file = workdir / "bare.html"
    server = None
    try:
        # Capture the page's bytes with a short-lived server, then start the measured one with the bare view loaded.
        for phase in ("capture", "measure"):
            bare_file.write_bytes(bare_file.read_bytes() if bare_file.exists() else b"")
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(ROOT / "bench" / "gunicorn.conf.py"),
                    "bench.campaign_page:application",
                ],
                env={**env, "BENCH_ROLE": "server", "BENCH_BARE_FILE": str(bare_file)},
                cwd=ROOT,
                start_new_session=True,
            )
            body = wait_until_up(page_url)
            if phase == "capture":
                bare_file.write_bytes(body)
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
        bare_url = base + "/__bench__/bare/"
        assert len(wait_until_up(bare_url)) == len(body), "the bare view must return the page's bytes"
        loader = wrk if shutil.which("wrk") else python_load
        results = {}
        for name, url in (("bare Django view", bare_url), ("campaign page", page_url)):
            loader(url, 2, args.connections)  # warm both workers' caches and connections
            results[name] = loader(url, args.duration, args.connections)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nLoad: {loader.__name__}, {args.connections} connections, {args.duration}s per target, "
        f"gunicorn 2 sync workers on loopback, {len(body):,} bytes per response, "
        f"PageCacheMiddleware {'added' if args.with_middleware else 'as configured in settings'}\n"
    )
    print(f"{'target':<20}{'req/s':>10}{'p99 ms':>10}{'errors':>8}")
    for name, (rps, p99, errors) in results.items():
        print(f"{name:<20}{rps:>10.0f}{p99:>10.1f}{errors:>8}")
    bare_rps, page = results["bare Django view"][0], results["campaign page"]
    ratio = page[0] / bare_rps if bare_rps else 0
    print(f"\ncampaign page at {ratio:.0%} of the bare view (target >= 80%); p99 {page[1]:.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
