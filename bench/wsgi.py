"""The benchmarks' WSGI application: the product (chengxin.wsgi, every middleware) and, for the paths under
/bench/ and /__bench/, the same Django with NO middleware at all: the bare baseline the issue asks for (a view
answering a constant, or inserting one row), served by the same server processes, behind the same nginx, in the
same run. The URLconf is the bench's (bench.rush_urls or bench.portal_urls, through DJANGO_SETTINGS_MODULE).

    gunicorn -c deploy/gunicorn.conf.py bench.wsgi      (bench/_stack.py: Stack(wsgi="bench.wsgi"))
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.rush_settings")

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

product = get_wsgi_application()

BARE_PREFIXES = ("/bench/", "/__bench/")


class BareHandler(WSGIHandler):
    """Django's own WSGI handler with an empty middleware chain: URL resolution, the view, the response."""

    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


bare = BareHandler()


def application(environ, start_response):
    handler = bare if environ.get("PATH_INFO", "").startswith(BARE_PREFIXES) else product
    return handler(environ, start_response)
