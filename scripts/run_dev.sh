#!/usr/bin/env bash
# Starts the development web server, the task worker, the Stripe events consumer, the scheduler and (without Stripe
# keys) the Stripe test-mode stand-in together; Ctrl-C stops them all.
set -euo pipefail
BIN="${BIN:-.venv/bin}"
PORT="${PORT:-8000}"
# Links in emails and PDFs follow the port the site runs on (settings.SITE_URL), never a hard-coded one.
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-portal.settings.dev}"

# No Stripe keys in the environment: the development settings turn on the Stripe test-mode stand-in (no real money).
STANDIN=""
if [ "$("$BIN/python" -c "import django; django.setup(); from django.conf import settings; print(settings.STRIPE_STANDIN)")" = "True" ]; then
  "$BIN/python" manage.py run_stripe_standin &
  STANDIN=$!
fi
"$BIN/python" manage.py run_worker --interval 1 &
WORKER=$!
"$BIN/python" manage.py stripe_process_events --loop --interval 1 &
EVENTS=$!
"$BIN/python" manage.py run_scheduler &
SCHEDULER=$!
cleanup() {
  kill "$WORKER" "$EVENTS" "$SCHEDULER" $STANDIN 2>/dev/null || true
  wait "$WORKER" "$EVENTS" "$SCHEDULER" $STANDIN 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$BIN/python" -c "import django; django.setup(); from portal import demo; print(demo.login_table())"
echo "The portal is starting on http://127.0.0.1:${PORT}  (staff admin: http://127.0.0.1:${PORT}/admin/). Ctrl-C stops the site, the worker, the consumer and the scheduler."
"$BIN/python" manage.py runserver "127.0.0.1:${PORT}" --noreload
