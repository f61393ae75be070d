"""Development: works with no configuration at all."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# In development, see template and code changes at once.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=False)
