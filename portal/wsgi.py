import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
django_application = get_wsgi_application()

# Cached public pages are answered in front of Django's handler (cms/cache.py); everything else goes to Django.
from cms.cache import PageCacheWSGI  # noqa: E402 - needs the settings configured above

application = PageCacheWSGI(django_application)
