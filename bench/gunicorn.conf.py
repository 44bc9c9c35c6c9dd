"""Gunicorn configuration shared by both targets of bench/campaign_page.py (and a sane default for production)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8180")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
timeout = 30
backlog = 2048
accesslog = None
errorlog = "-"
loglevel = "warning"
