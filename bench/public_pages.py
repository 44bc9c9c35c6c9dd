"""Benchmark: cached public pages against a bare Django project returning the same bytes.

    .venv/bin/python bench/public_pages.py --database-url postgres://postgres@127.0.0.1:5432/portal_bench
    .venv/bin/python bench/public_pages.py --rounds 5 --duration 10 --pages home,campaign

What it runs (all on loopback, nothing shared with your own servers):
- a private Redis (`--redis-port`, started and stopped here) as the cache;
- the database named by `--database-url`, DROPPED and created again, migrated, with the small test site
  (tests/factories/cms.make_site); the name must contain "bench" unless you pass `--recreate`;
- our site under production settings (`portal.settings.production`, static files collected, PostgreSQL + Redis);
- the baseline: `bench/baseline/`, a bare `startproject` Django project whose view returns the captured bytes of
  each of our pages (same body, same content type);
- both under the same gunicorn configuration (bench/gunicorn.conf.py: 2 sync workers), each on its own port.

The load is `wrk` (a separate process; `apt-get install wrk`), 32 connections, `--duration` seconds per target and
page, rounds interleaved (each round measures every page on both targets, alternating which goes first) so that
background noise hits both alike. Requests carry `X-Forwarded-Proto: https` as behind the TLS proxy production
expects. Prints the median req/s and p99 of each, and the ratio per page. Targets (issue 18): ratio >= 0.8,
p99 < 50 ms.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "campaign": "/campaigns/naloxone-in-every-pocket/",
    "directory": "/grants/",
    "impact": "/impact/",
    "stories": "/stories/",
    "open-data": "/open-data/grants.json",
}
BASELINE_SETTINGS = "bench.baseline.settings"
PROXY_HEADER = ("X-Forwarded-Proto", "https")
SECURITY_HEADERS = ("Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options")


# --- Processes ------------------------------------------------------------------------------------------------------


def start_redis(port, workdir):
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip():
            return server
        time.sleep(0.1)
    raise SystemExit(f"redis-server did not start on port {port}")


def start_gunicorn(app, port, env):
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "bench" / "gunicorn.conf.py"), app],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        cwd=ROOT,
        start_new_session=True,
    )


def stop(process):
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def fetch(url, timeout=60):
    """(status, headers, body) of a GET sent as the proxy sends it; retries until the server is up."""
    deadline = time.time() + timeout
    while True:
        request = urllib.request.Request(url, headers=dict([PROXY_HEADER]))
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()
        except OSError:
            if time.time() > deadline:
                raise SystemExit(f"no answer from {url}") from None
            time.sleep(0.3)


def wrk(url, duration, connections, method="GET", body_file=None):
    """(req/s, p99 ms, non-2xx/3xx count) from wrk, a separate process."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", ": ".join(PROXY_HEADER)]
    if body_file:
        command += ["-s", str(body_file)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    count = int(errors.group(1)) if errors else 0
    count += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return rps, p99_ms, count


def recreate_database(url):
    """Drop and create the database named in a postgres:// URL (connecting to the server's `postgres` database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def site_env(args, workdir):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "bench-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        "VAR_DIR": str(workdir),
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }


def build_site(env):
    def manage(*command):
        subprocess.run([sys.executable, "manage.py", *command], env=env, cwd=ROOT, check=True)

    manage("migrate", "-v0", "--noinput")
    manage("collectstatic", "-v0", "--noinput")
    script = "from cms.models import HomePage; from tests.factories.cms import make_site; HomePage.objects.exists() or make_site()"
    manage("shell", "-c", script)


# --- The run --------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"),
    )
    parser.add_argument("--recreate", action="store_true", help="allow dropping a database whose name lacks 'bench'")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (migrate it only)")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated, of: {', '.join(PAGES)}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page, target and round")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8180, help="our site; the baseline gets port + 1")
    parser.add_argument("--redis-port", type=int, default=6393)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers (finally below) when killed
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    name = urlsplit(args.database_url).path.lstrip("/")
    if "bench" not in name and not args.recreate:
        raise SystemExit(f"refusing to drop database {name!r}: pass --recreate, or a name containing 'bench'")
    pages = {key: PAGES[key] for key in args.pages.split(",")}

    workdir = Path(tempfile.mkdtemp(prefix="bench-public-"))
    captured = workdir / "pages"
    captured.mkdir()
    env = site_env(args, workdir)
    redis = site = bare = None
    try:
        redis = start_redis(args.redis_port, workdir)
        print(
            f"Database {name}: {'reusing' if args.reuse else 'recreating'}, migrating, building the site…", flush=True
        )
        if not args.reuse:
            recreate_database(args.database_url)
        build_site(env)
        site = start_gunicorn("portal.wsgi:application", args.port, env)
        base = f"http://127.0.0.1:{args.port}"
        for key, path in pages.items():
            fetch(base + path)  # the miss that stores it
            status, headers, body = fetch(base + path)
            missing = [h for h in SECURITY_HEADERS if h not in headers]
            print(
                f"  {key:<10} {status} X-Page-Cache={headers.get('X-Page-Cache')} {len(body):>7,} bytes"
                f"{'  MISSING ' + ', '.join(missing) if missing else ''}",
                flush=True,
            )
            (captured / f"{key}.body").write_bytes(body)
            (captured / f"{key}.type").write_text(headers.get("Content-Type", "text/html; charset=utf-8"))
        bare = start_gunicorn(
            "bench.baseline.wsgi:application",
            args.port + 1,
            {**env, "DJANGO_SETTINGS_MODULE": BASELINE_SETTINGS, "BENCH_PAGES_DIR": str(captured)},
        )
        bare_base = f"http://127.0.0.1:{args.port + 1}"
        for key in pages:
            assert fetch(f"{bare_base}/page/{key}/")[2] == (captured / f"{key}.body").read_bytes()

        targets = {key: {"ours": f"{base}{path}", "bare": f"{bare_base}/page/{key}/"} for key, path in pages.items()}
        for urls in targets.values():  # warm both: connections, caches, code paths
            for url in urls.values():
                wrk(url, 2, args.connections)
        samples = {(key, target): [] for key in pages for target in ("ours", "bare")}
        for round_number in range(args.rounds):
            order = ("ours", "bare") if round_number % 2 == 0 else ("bare", "ours")
            for key, urls in targets.items():
                for target in order:
                    samples[key, target].append(wrk(urls[target], args.duration, args.connections))
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
    finally:
        for process in (site, bare, redis):
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nwrk, {args.connections} connections, {args.rounds} interleaved rounds of {args.duration}s per page and "
        "target; gunicorn 2 sync workers each; production settings, PostgreSQL + Redis; medians\n"
    )
    print(f"{'page':<11}{'ours req/s':>11}{'bare req/s':>11}{'ratio':>7}{'ours p99':>10}{'bare p99':>10}{'errors':>8}")
    for key in pages:
        ours, bare_ = samples[key, "ours"], samples[key, "bare"]
        ours_rps, bare_rps = statistics.median(s[0] for s in ours), statistics.median(s[0] for s in bare_)
        ours_p99, bare_p99 = statistics.median(s[1] for s in ours), statistics.median(s[1] for s in bare_)
        errors = sum(s[2] for s in ours + bare_)
        ratio = ours_rps / bare_rps if bare_rps else 0.0
        print(
            f"{key:<11}{ours_rps:>11.0f}{bare_rps:>11.0f}{ratio:>7.2f}{ours_p99:>8.1f}ms{bare_p99:>8.1f}ms{errors:>8}"
        )
    print("\ntargets: ratio >= 0.80, our p99 < 50 ms (on an idle machine)")


if __name__ == "__main__":
    main()
