"""Production settings plus the benchmark's floor view (bench/floor_urls.py); never used by the product.

bench/register_load.py selects it with DJANGO_SETTINGS_MODULE=floor_settings and bench/ on PYTHONPATH, so the
trivial view is served by the same server, middleware and settings as the register in the same run.
"""

from config.settings.production import *  # noqa: F403  (the production settings, unchanged but for the URLs)

ROOT_URLCONF = "floor_urls"
