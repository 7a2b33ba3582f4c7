"""Full page or htmx partial from the same view and the same template.

A page template names the block an htmx request replaces (``partial``).
A normal request gets the whole page; an htmx request (``HX-Request``, but
not a boosted navigation or a history restore, which want the whole page)
gets only that block.
``Vary: HX-Request`` keeps caches from serving one for the other.
"""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx_request():
    """True for any request htmx made (the one ``HX-Request`` check)."""
    return request.headers.get("HX-Request") == "true"


def is_htmx_partial_request():
    """True for an htmx request that wants a fragment rather than a page.

    A boosted navigation and a history restore (the back button: htmx keeps
    no snapshots, see ``historyCacheSize`` in base.html) want the page."""
    return (is_htmx_request()
            and request.headers.get("HX-Boosted") != "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render_page(template, partial="content", **context):
    """Render ``template`` whole, or only its ``partial`` block for htmx."""
    if is_htmx_partial_request():
        body = render_block(template, partial, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response
