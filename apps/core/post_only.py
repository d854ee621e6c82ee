"""Addresses that only take a POST, when a browser asks for them with a GET."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.http.response import HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def post_only(page: Callable[..., str]) -> Callable[[View], View]:
    """``require_POST`` for an address whose refusals are answered with a page (an htmx
    endpoint's form sent without JavaScript): the browser then shows that address, and a GET
    of it (reloaded, opened from the history or a bookmark) is redirected to the page that
    owns the form, ``page(request, *args, **kwargs)``, instead of an empty 405.

    ``page`` finds that page's object through the same access helper as the view, so a role
    that may not use it still gets a 403 and another clinic's object a 404."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(page(request, *args, **kwargs))
            if request.method != "POST":
                return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
