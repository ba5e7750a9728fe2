"""Template filters every page uses; loaded as a builtin in settings."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..figures import cached_figures
from ..formatting import format_date, format_sek
from ..selectors import reader_key

register = template.Library()


@register.filter
def sek(amount):
    """`{{ price|sek }}` -> `8 495,00 kr`."""
    return format_sek(amount)


@register.filter
def sek_whole(amount):
    """`{{ total|sek_whole }}` -> `1 234 568 kr`, for tables of large sums."""
    return format_sek(amount, decimals=False)


@register.filter
def isodate(value):
    """`{{ day|isodate }}` -> `2026-11-22`; datetimes in Stockholm time with hh:mm."""
    return format_date(value)


@register.filter
def datetime_attr(value):
    """A <time datetime="…"> value: local time to the second, `2026-11-27T18:41:57+01:00`
    (HTML allows at most three digits of a second's fraction; we give none)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat(timespec="seconds")


@register.filter
def person(user, fallback="–"):
    """`{{ entry.actor|person:_("System") }}`: a user's full name, else the username.

    `fallback` when there is no user: a change made by a command run without --user or
    by the system, or by someone whose account has since been deleted. (Written as
    `actor.get_full_name|default:actor.username`, a missing user is an error: Django
    resolves a filter's argument strictly.)
    """
    if user is None or not getattr(user, "pk", None):
        return fallback
    return user.get_full_name() or user.get_username()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def widget(bound_field, **attrs):
    """A field's widget tied to its help text and errors for screen readers."""
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    widget_ = bound_field.field.widget
    # Not on a select whose first option has a value, nor on a file input that already
    # has a file: one value is always sent, and HTML forbids `required` on such a select.
    if (
        bound_field.field.required
        and not widget_.is_hidden
        and widget_.use_required_attribute(bound_field.initial)
    ):
        attrs.setdefault("required", True)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_multiple_choice(bound_field):
    return bound_field.widget_type in ("checkboxselectmultiple", "radioselect")


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str, *more: str):
    """A column header that sorts the list by `field`, and says how it is sorted now.

    More `field, label` pairs put several sort links in one header, for a column that
    shows two things (`{% sort_header "category" h1 "model" h2 %}`).
    """
    request = context["request"]
    current = request.GET.get("ordering", "")
    pairs = [(field, label), *zip(more[::2], more[1::2], strict=True)]
    links = []
    column_sort = None
    for name, text in pairs:
        params = request.GET.copy()
        params.pop("page", None)
        if current == name:
            params["ordering"] = f"-{name}"
            sort = "ascending"
        elif current == f"-{name}":
            params["ordering"] = name
            sort = "descending"
        else:
            params["ordering"] = name
            sort = None
        column_sort = column_sort or sort
        arrow = {"ascending": " ▲", "descending": " ▼"}.get(sort, "")
        links.append(
            format_html(
                '<a href="?{}">{}<span aria-hidden="true">{}</span></a>',
                params.urlencode(),
                text,
                arrow,
            )
        )
    return format_html(
        '<th scope="col"{}>{}</th>',
        format_html(' aria-sort="{}"', column_sort) if column_sort else "",
        format_html_join(" / ", "{}", ((link,) for link in links)),
    )


class CachedFragmentNode(template.Node):
    """What `{% cachedfragment %}` wraps, rendered once per data version."""

    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        request = context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.nodelist.render(context)
        key = (
            self.name.resolve(context),
            tuple(str(value.resolve(context)) for value in self.vary_on),
            # What the fragment may show depends on the reader's libraries and role, and
            # on nothing else of theirs: the same for every user of a role.
            reader_key(user),
        )
        return cached_figures("fragment", key, lambda: self.nodelist.render(context))


@register.tag
def cachedfragment(parser, token):
    """`{% cachedfragment "name" value ... %}…{% endcachedfragment %}`: the fragment as
    rendered before for the same name, values, data version (inventory/figures.py),
    language, and the reader's libraries and permissions; rendered afresh otherwise.

    For parts of a page that are the same for every user of a role and cost much to render
    (a filter form's hundred options). Everything the fragment shows must follow from the
    values named, the data and the reader's role: never a CSRF token, a message, or a
    form bound to what was posted.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("cachedfragment needs a name")
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )
