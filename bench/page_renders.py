"""Benchmark: uncached public pages and signed-in portal pages rendered in-process (issue 18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_x_bench .venv/bin/python bench/page_renders.py
    ... bench/page_renders.py --baseline /tmp/main-tree --rounds 3     # the same pages on another tree, interleaved

Each measurement runs in a fresh process (`--measure`): it takes the test database of DATABASE_URL (created and
migrated the first time, kept after), empties it, builds the small test site (tests/factories/cms.make_site) and the
signed-in people of tests/factories/signed_in.py (20 of everything each lists), then renders each page 20 times with
Django's test client (after one warm-up) and prints the median time and the queries of one render as JSON.

- Public pages are rendered as a page-cache miss: the cached pages are retired before every render (as a publish
  does), with a new visitor each time. Targets: at most 10 queries and 40 ms.
- Signed-in pages are rendered for their user, signed in. Targets: at most 12 queries and 30 ms.

With `--baseline DIR` (a checkout of another commit, e.g. `git archive main | tar -x -C DIR`), rounds alternate between
that tree and this one (which goes first alternates too), so background load hits both alike; the figures are the
medians over the rounds. PASS/FAIL is judged on this tree's figures.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
RENDERS = 20
PUBLIC = {
    "home": "/",
    "campaign": "/campaigns/naloxone-in-every-pocket/",
    "directory": "/grants/",
    "impact": "/impact/",
    "stories": "/stories/",
    "open data": "/open-data/grants.json",
}
PUBLIC_TARGET = (10, 40.0)
SIGNED_IN_TARGET = (12, 30.0)


def measure(rows):
    """Runs inside the measured tree (its directory first on sys.path): prints {page: [queries, median ms]}."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from cms import cache as page_cache
    from tests.conftest import ensure_baseline_data
    from tests.factories.cms import make_site
    from tests.factories.signed_in import signed_in_scenario

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    call_command("flush", interactive=False, verbosity=0)
    ensure_baseline_data()
    make_site()
    scenario = signed_in_scenario(rows)

    def timed(make_client, path, before=lambda: None):
        before()
        make_client().get(path)  # warm-up
        times = []
        for _ in range(RENDERS):
            before()
            client = make_client()
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        before()
        client = make_client()
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        return [len(queries), statistics.median(times)]

    results = {}
    for name, path in PUBLIC.items():
        results[f"public: {name}"] = timed(Client, path, page_cache.invalidate_pages)
    clients = {}
    for name, (user, path) in scenario.pages().items():
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        results[f"signed in: {name}"] = timed(lambda user=user: clients[user.pk], path)
    print(json.dumps(results))


def run_tree(tree, rows):
    scenario = tree / "tests" / "factories" / "signed_in.py"
    if not scenario.exists():  # an older tree: measure the same people (the builder uses only older factories)
        shutil.copy(HERE / "tests" / "factories" / "signed_in.py", scenario)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, str(HERE / "bench" / "page_renders.py"), "--measure", "--rows", str(rows)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"measuring {tree} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="another tree to measure in the same run, rounds interleaved")
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, os.getcwd())
        measure(args.rows)
        return
    trees = {"ours": HERE}
    if args.baseline:
        trees["baseline"] = Path(args.baseline).resolve()
    runs = {name: [] for name in trees}
    for round_no in range(args.rounds):
        order = list(trees) if round_no % 2 == 0 else list(reversed(trees))
        for name in order:
            runs[name].append(run_tree(trees[name], args.rows))
            print(f"round {round_no + 1}: {name} measured", file=sys.stderr)
    print(
        f"database: {os.environ.get('DATABASE_URL', 'sqlite')}; {RENDERS} renders per page after 1 warm-up, "
        f"median ms, median of {args.rounds} rounds"
    )
    header = f"{'page':<32} {'queries':>7} {'ms':>7}"
    if args.baseline:
        header += f" | {'baseline q':>10} {'ms':>7}"
    print(header + " | target")
    failed = False
    for page in runs["ours"][0]:
        queries = runs["ours"][0][page][0]
        ms = statistics.median(run[page][1] for run in runs["ours"])
        max_queries, max_ms = PUBLIC_TARGET if page.startswith("public") else SIGNED_IN_TARGET
        ok = queries <= max_queries and ms <= max_ms
        failed |= not ok
        line = f"{page:<32} {queries:>7} {ms:>7.1f}"
        if args.baseline:
            base = runs["baseline"]
            line += f" | {base[0][page][0]:>10} {statistics.median(run[page][1] for run in base):>7.1f}"
        print(f"{line} | <= {max_queries} q, <= {max_ms:.0f} ms: {'PASS' if ok else 'FAIL'}")
    print("FAIL" if failed else "PASS")


if __name__ == "__main__":
    main()
