"""Server time and query count of each request, as response headers the load generator reads.

Outermost in ``bench.settings.MIDDLEWARE``, so the time covers every other middleware
(sessions, authentication, security headers) and the view, and the count covers every query.
"""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

TIME_HEADER = "X-Bench-Server-Ms"
QUERIES_HEADER = "X-Bench-Queries"


class ServerTiming:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response[TIME_HEADER] = f"{(time.perf_counter() - started) * 1000:.3f}"
        response[QUERIES_HEADER] = str(queries[0])
        return response
