"""Micro-benchmark: what one page-cache read costs with each Redis cache backend, against a private Redis.

    .venv/bin/python bench/cache_client.py [--port 6390] [--reads 20000]

Starts its own `redis-server` on `--port` (stopped at the end), stores a 9 KB page entry and times, per read:
- `redis-py` with one reused client (the floor),
- Django's built-in `django.core.cache.backends.redis.RedisCache`,
- `portal.redis_cache.FailOpenRedisCache` (django-redis, fail-open), the backend production uses,
- the page cache's hit read (`get_many` of the generation and the page: one MGET) on that backend,
and checks that the fail-open backend reuses one client (one TCP connection) for all its reads.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")


def per_read_us(fn, reads):
    fn()
    start = time.perf_counter()
    for _ in range(reads):
        fn()
    return (time.perf_counter() - start) / reads * 1e6


def interleaved(cases, reads, rounds):
    """Each case runs `reads` times per round, rounds interleaved (noise hits all alike); prints the median."""
    samples = {label: [] for label, _ in cases}
    for _ in range(rounds):
        for label, fn in cases:
            samples[label].append(per_read_us(fn, reads))
    for label, values in samples.items():
        print(f"{label:<62} {statistics.median(values):8.1f} µs/read (min {min(values):.1f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_REDIS_PORT", "6390")))
    parser.add_argument("--reads", type=int, default=2000, help="reads per case per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    url = f"redis://127.0.0.1:{args.port}/0"
    os.environ["REDIS_URL"] = url
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(args.port), "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    try:
        import django
        import redis

        django.setup()
        from django.core.cache.backends.redis import RedisCache

        from cms.cache import GENERATION_KEY, KEY_PREFIX
        from portal.redis_cache import FailOpenRedisCache

        raw = redis.Redis.from_url(url)
        for _ in range(50):
            try:
                raw.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        options = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
        builtin = RedisCache(url, {"KEY_PREFIX": "portal"})
        failopen = FailOpenRedisCache(url, {"KEY_PREFIX": "portal", "OPTIONS": options})
        page_key = f"{KEY_PREFIX}bench"
        entry = (7, b"x" * 9000, {"Content-Type": "text/html; charset=utf-8"}, False)
        for backend in (builtin, failopen):
            backend.set(GENERATION_KEY, 7, None)
            backend.set(page_key, entry, 60)
        raw.set("bench:raw", b"x" * 9000)

        print(f"{args.rounds} interleaved rounds of {args.reads} reads of a 9 KB entry, Redis on port {args.port}")
        cases = [
            ("redis-py, one reused client (floor)", lambda: raw.get("bench:raw")),
            ("Django built-in RedisCache.get", lambda: builtin.get(page_key)),
            ("FailOpenRedisCache.get (django-redis)", lambda: failopen.get(page_key)),
            (
                "old hit: FailOpenRedisCache.get x2 (generation, then page)",
                lambda: (failopen.get(GENERATION_KEY), failopen.get(page_key)),
            ),
            ("new hit: FailOpenRedisCache.get_many (one MGET)", lambda: failopen.get_many([GENERATION_KEY, page_key])),
        ]
        interleaved(cases, args.reads, args.rounds)
        assert failopen.get_many([GENERATION_KEY, page_key])[page_key] == entry
        clients = raw.client_list()
        print(f"connections open on the server: {len(clients)} (one per client object that reuses its connection)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
