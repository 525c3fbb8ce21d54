"""Gatherer for ``Artifact.SEARCH_QUERY``: send one common word through the site's search.

Finds the GET search form on the home page (else a header search box of another captured
page) with ``pageread.forms``' detector (the one the search probe judges with), fills one common word in the page's language form
("hokim" / "ҳоким" / "хоким" / "news", data in ``pageread/data/words.toml``), submits it with the
run's polite fetcher and stores the ``Response`` in ``site.side["search_query"]``.

A POST search form (often with a CSRF token) is only submitted when
``env.options.exercise_post_search`` is set; its response goes to
``site.side["search_query_post"]``. No other form is ever submitted: the detector only
returns forms classified as search (never login, subscription or appeal forms).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


async def gather_search_query(site, env) -> None:
    from pageread.forms import pick_query_form, query_request, query_word

    if not site.pages:
        site.notes.append("search_query: no page captured, no search was sent")
        return
    word = query_word(site)
    form = pick_query_form(site, "get")
    if form is not None:
        url, _ = query_request(form, word)
        site.side["search_query"] = await env.fetcher.fetch(
            url, method="GET", headers={"Referer": form.page_url})
    else:
        site.notes.append("search_query: no GET search form found; nothing was sent")
    if getattr(env.options, "exercise_post_search", False):
        post = pick_query_form(site, "post")
        if post is not None:
            url, data = query_request(post, word)
            site.side["search_query_post"] = await env.fetcher.fetch(
                url, method="POST", data=data,
                headers={"Referer": post.page_url, "Origin": _origin(post.page_url)})
        else:
            site.notes.append("search_query: --exercise-post-search given but no POST "
                              "search form found")


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"
