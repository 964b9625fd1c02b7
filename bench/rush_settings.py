"""Settings of the rush benchmark's server: the product's own (chengxin.settings, read from the same environment)
with the bench URLconf, which adds one bare view writing one row (bench/rush_urls.py). Nothing else changes, so the
API and the baseline are served by the same process, middleware and database."""

from chengxin.settings import *  # noqa: F403

ROOT_URLCONF = "bench.rush_urls"
