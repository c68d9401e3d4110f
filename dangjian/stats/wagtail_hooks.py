"""Counts views of Wagtail pages after they are served."""

from wagtail import hooks

from dangjian.lib.counting import count_view


@hooks.register("on_serve_page")
def count_page_views(next_serve_page):
    """Counts a page view only for a 200 answer to a GET: by then Wagtail's
    view restrictions and the page's own scope checks have passed, so a
    党内 item is counted only for people in its scope."""

    def inner(page, request, serve_args, serve_kwargs):
        response = next_serve_page(page, request, serve_args, serve_kwargs)
        if request.method == "GET" and getattr(response, "status_code", 0) == 200:
            count_view(request, page)
        return response

    return inner
