"""Routing a public URL to its page in two queries, whatever the page's depth.

Wagtail's `Page.route` walks the tree one level per query pair (the child by slug, then its specific row). Here one
query reads every page on the way (the pages whose `url_path` is a prefix of the requested one: the page, its
ancestors up to the tree's root) and a second reads the page's specific row. The same walk also gives the pages whose
view restrictions apply (every ancestor), so the page reads them in one more query (BasePage.get_view_restrictions)
instead of two, and once instead of twice.

The walk decides exactly as Wagtail's would: a page type with its own `route` (a routable page) routes the rest of
the path itself; the final page must be live. Wherever the walk finds no page or the tree does not look as expected
(a missing ancestor, a duplicated url_path) it hands over to Wagtail's own routing, so a URL that is not found costs
Wagtail's queries.
"""

from wagtail.models import Page


class _HandOver(Exception):
    """The prefix walk cannot decide: route as Wagtail does."""


def _prefixes(url_path):
    parts = [part for part in url_path.split("/") if part]
    return ["/"] + ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _restriction_targets(chain):
    # As Page.get_view_restrictions: each page on the way, or the page it is an alias of.
    return {page.alias_of_id or page.pk for page in chain}


def _specific(page, chain):
    # Page.specific, with the locale joined: serving checks which language the page is in.
    model = page.specific_class
    if model is None:
        specific = page.specific
    else:
        specific = model._default_manager.select_related("locale").get(pk=page.pk)
        if hasattr(page, "_cached_parent_obj"):
            specific._cached_parent_obj = page._cached_parent_obj
    if len(chain) == page.depth:  # every ancestor read: the view restrictions need no ancestor query
        specific._restriction_page_ids = _restriction_targets(chain)
    return specific


def _walk(request, root, components):
    target = root.url_path + "".join(f"{component}/" for component in components)
    pages = list(Page.objects.filter(url_path__in=_prefixes(target)))
    by_url_path = {page.url_path: page for page in pages}
    if len(by_url_path) != len(pages) or by_url_path.get(root.url_path, None) is None:
        raise _HandOver
    current = by_url_path[root.url_path]
    if current.pk != root.pk:
        raise _HandOver
    chain = sorted((p for p in pages if current.path.startswith(p.path)), key=lambda p: p.depth)
    url_path = root.url_path
    for index, component in enumerate(components):
        model = current.specific_class
        if model is None:
            raise _HandOver
        if model.route is not Page.route:  # e.g. a routable page: it routes the rest of the path
            return _specific(current, chain).route(request, components[index:])
        url_path += f"{component}/"
        child = by_url_path.get(url_path)
        if child is None:  # most likely no such page; Wagtail's lookup by slug says so for sure (and raises 404)
            raise _HandOver
        if child.depth != current.depth + 1 or child.path[: -Page.steplen] != current.path:
            raise _HandOver
        child._cached_parent_obj = current
        chain.append(child)
        current = child
    return _specific(current, chain).route(request, [])


def route(request, root, components):
    """What `root.specific.route(request, components)` returns (a RouteResult, or Http404 raised)."""
    try:
        return _walk(request, root, components)
    except _HandOver:
        return root.specific.route(request, components)
