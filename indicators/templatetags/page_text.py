"""Text a page shows more than once: `{% capture as name %}...{% endcapture %}`
renders its contents once (blocks inside it are overridden as usual) into a
variable, so a page's title and description fill both its <title> and its
sharing tags (Open Graph) without being written twice. `{% canonical_url %}` and `{% generated_at %}` give
the page's address for sharing and the moment it was rendered."""

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..times import uk_time

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Already rendered with autoescaping: kept as the escaped text it is, not escaped twice.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The page's own address without its query string, on the host it was asked on: what a shared link
    (og:url) and search engines (rel=canonical) point at, the same for `?utm_source=...` as without."""
    request = context["request"]
    return request.build_absolute_uri(request.path)


@register.simple_tag
def generated_at() -> str:
    """When this page was rendered, in UK time with the zone. A cached page keeps it, and it stays true:
    the page printed is the page as generated then."""
    return uk_time(timezone.now())
