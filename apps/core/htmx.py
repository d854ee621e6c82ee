"""A redirect answering an htmx request sends the browser to the page, not into a fragment.

htmx makes its requests (``HX-Request: true``) from a script on a page, to swap a part of it:
the builder's item list, the inbox's cards, a report's progress. Answered with a 302, the
browser follows it inside that request and htmx swaps the page it reaches (the sign-in page,
the two-factor set-up page) into the part it was updating: a page inside a page, its
navigation repeated and no way to act on it. ``HX-Redirect`` is htmx's way to have the
browser load the page as a whole instead.

Redirects are made in more places than one (the staff session's end, the two-factor
requirement, Django's ``login_required`` and the patients' ``patient_login_required``), some
of them not ours: ``HtmxRedirectMiddleware`` turns every redirect that answers an htmx
request into ``htmx_redirect``'s answer, so each of them, and any added later, is answered
the same way. A redirect to a fragment is never what an htmx request wants: a view that
answers htmx renders the fragment itself.

The other way round, a fragment is never what a browser opening an address wants:
``fragment_of`` sends a request that htmx did not make to the page the fragment belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase, HttpResponseRedirectBase
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx made the request. Read from the header, not ``request.htmx``: a
    middleware that answers before django-htmx's has run (the session's end) must tell too."""
    return request.headers.get("HX-Request") == "true"


def wants_part(request: HttpRequest) -> bool:
    """Whether htmx asks for the part of a page it swaps. Not when it restores a page from
    its history (Back to a pushed address no longer in its cache): that request carries
    ``HX-Request`` too, but htmx puts what it gets in place of the whole page."""
    return is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"


def fragment_of(page: Callable[..., str]) -> Callable[[View], View]:
    """For an address that answers htmx with a part of a page (the builder's search results,
    a report's progress): opened directly in the browser (no ``HX-Request``: a link opened
    in a new tab, a bookmark, the address copied from the developer tools), it redirects to
    the page the part belongs to, ``page(request, *args, **kwargs)``, instead of showing a
    bare fragment with no title, layout or menu.

    ``page`` finds that page's object through the same access helper as the view, so a role
    that may not use it still gets a 403 and another clinic's object a 404 (as
    ``apps.core.post_only`` does for the addresses that take only a POST)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not is_htmx(request):
                return HttpResponseRedirect(page(request, *args, **kwargs))
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def htmx_redirect(request: HttpRequest, to: str) -> HttpResponse:
    """The answer to an htmx request that must take the browser to the page ``to``: a 200
    with ``HX-Redirect``.

    A ``next`` that names this request's own URL (a fragment, such as the progress a page
    polls) names the page the person is on instead (``HX-Current-URL``), so that once signed
    in they come back to that page, not to a bare fragment; with no page of this site to
    name, ``next`` is left out.
    """
    return HttpResponseClientRedirect(_page_instead_of_fragment(request, to))


def _page_instead_of_fragment(request: HttpRequest, to: str) -> str:
    parts = urlsplit(to)
    query = parse_qsl(parts.query, keep_blank_values=True)
    fragment = request.get_full_path()
    if not any(key == REDIRECT_FIELD_NAME and value == fragment for key, value in query):
        return to
    page = _current_page(request)
    kept = [
        (key, page if key == REDIRECT_FIELD_NAME and value == fragment else value)
        for key, value in query
        if page or not (key == REDIRECT_FIELD_NAME and value == fragment)
    ]
    return parts._replace(query=urlencode(kept)).geturl()


def _current_page(request: HttpRequest) -> str:
    """The path (and query) of the page htmx made the request from, when it is on this site."""
    url = request.headers.get("HX-Current-URL", "")
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class HtmxRedirectMiddleware:
    """Every redirect answering an htmx request becomes ``htmx_redirect``'s answer, keeping
    the redirect's other headers and cookies (a signed-out session's, the flash message's).
    Placed outside the middlewares that redirect, so their answers pass through it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_htmx(request) or not isinstance(response, HttpResponseRedirectBase):
            return response
        if isinstance(response, HttpResponseClientRedirect):
            return response
        answer = htmx_redirect(request, response.url)
        for header, value in response.items():
            if header != "Location":
                answer[header] = value
        answer.cookies = response.cookies
        return answer
