import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ciic.settings.production")
application = get_wsgi_application()

# Load the URLconf (every view, and what the views import: Wagtail, folium,
# shapely…) while the worker boots, not in its first request: a fresh worker
# answers its first visitor in milliseconds, not in two seconds.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effects
