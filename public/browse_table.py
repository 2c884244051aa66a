"""The browse table: one page of a year's ratings, sorted and paginated, as
plain rows for a template loop.

It was a django-tables2 table. Profiled on the demo (570 organisations),
uncached, an average browse page spent about 27% of its time in
django-tables2's per-cell machinery (an `inspect.signature` for every cell)
and 19% decoding JSON the table never shows; the plain loop over a values
query below does neither (README, *Benchmarks*). Reads: a count and one page
of eight plain columns, whatever the number of organisations."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from indicators.years import format_year
from ratings import bands
from ratings.certainty_terms import certainty_word

from .formatting import format_number
from .presenters.certainty import in_100
from .templatetags.public_tags import band_tag

PER_PAGE = 50
FIELDS = ("organisation__code", "organisation__name", "organisation__type__name", "organisation__region__name",
          "band", "score", "core_targets_failed", "rank", "certainty")
# Sortable columns: ?sort=name or ?sort=-name (descending). Ties broken by name, then id, so pages never overlap.
SORTS = {"rank": "rank", "organisation": "organisation__name", "score": "score", "certainty": "certainty"}
DEFAULT_SORT = "rank"
BAND_TAGS = {band: band_tag(band) for band in bands.CODES}


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    numeric: bool = False
    sortable: bool = False


# Ranks are within each organisation's type: the types are rated separately.
COLUMNS = [Column("rank", "Rank in its type", numeric=True, sortable=True),
           Column("organisation", "Organisation", sortable=True),
           Column("type", "Type"), Column("region", "Region"), Column("band", "Band"),
           Column("score", "Final score", numeric=True, sortable=True),
           Column("core_targets_failed", "Core targets failed", numeric=True),
           Column("certainty", "Certainty of band", numeric=True, sortable=True)]


def ratings_table(ratings, query, year: int) -> dict:
    """The page of `ratings` (a queryset) that the query string asks for:
    {"columns": [{column, sorted ("ascending"/"descending"/""), url}], "rows":
    [[(cell html, numeric, column header)]], "page", "paginator", "pagination" (see `pagination`)}."""
    sort = query.get("sort", DEFAULT_SORT)
    name = sort.removeprefix("-")
    if name not in SORTS:
        sort, name = DEFAULT_SORT, DEFAULT_SORT
    descending = sort.startswith("-")
    field = F(SORTS[name])
    ordered = ratings.order_by(field.desc(nulls_last=True) if descending else field.asc(nulls_last=True),
                               "organisation__name", "pk").values_list(*FIELDS)
    paginator, page = paginate(ordered, query)
    card_url = reverse("public:report_card", args=["CODE", format_year(year)]).replace("CODE", "{}")
    # Each cell with its column's name, which the responsive table shows beside it on a phone.
    rows = [[(cell, numeric, column.header) for (cell, numeric), column in zip(_cells(row, card_url), COLUMNS)]
            for row in page.object_list]
    columns = []
    for column in COLUMNS:
        shown = ("descending" if descending else "ascending") if column.name == name else ""
        next_sort = f"-{column.name}" if shown == "ascending" else column.name
        columns.append({"column": column, "sorted": shown,
                        "url": _url(query, sort=next_sort, page=None) if column.sortable else ""})
    return {"columns": columns, "rows": rows, "page": page, "paginator": paginator,
            "pagination": pagination(paginator, page, query)}


def paginate(rows, query):
    """The page of a queryset of plain rows the query string asks for (the
    first for a missing or bad number, the last past the end): a count and one slice."""
    paginator = Paginator(rows, PER_PAGE)
    return paginator, paginator.get_page(query.get("page"))


def requested_page(query) -> int:
    """The page number the query string asks for, read as `Paginator.get_page`
    reads it (anything but a whole number is the first page), for a query that
    finds its own page (`page_read`); held within what a database integer
    holds (any number past the end is the last page)."""
    try:
        number = int(query.get("page", 1))
    except (TypeError, ValueError):
        return 1
    return max(-1, min(number, 2**31 - 1))


def page_read(rows: list, number: int, count: int):
    """A paginator and page for `rows`, page `number` of `count` rows, already read by the database."""
    paginator = Paginator(range(count), PER_PAGE)
    return paginator, Page(rows, number, paginator)


def pagination(paginator, page, query) -> dict:
    """What public/_pagination.html shows: a few page numbers around this one
    and at the ends (a fixed number of links however many pages there are)."""
    links = [(number if number != Paginator.ELLIPSIS else None,
              _url(query, page=number) if number != Paginator.ELLIPSIS else "")
             for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)]
    return {"shown": paginator.num_pages > 1, "page": page, "links": links,
            "previous_url": _url(query, page=page.previous_page_number()) if page.has_previous() else "",
            "next_url": _url(query, page=page.next_page_number()) if page.has_next() else ""}


def _cells(row, card_url: str) -> list[tuple[str, bool]]:
    code, name, type_name, region, band, score, failed, rank, certainty = row
    organisation = format_html('<a href="{}">{}</a> <span class="nhsuk-u-secondary-text-colour">{}</span>',
                               card_url.format(quote(code, safe="")), name, code)
    return [(rank if rank is not None else "–", True), (organisation, False), (type_name, False),
            (region, False), (BAND_TAGS.get(band, ""), False), (format_number(score), True),
            (failed if failed is not None else "–", True), (certainty_cell(certainty), True)]


def certainty_cell(certainty: float | None) -> str:
    """"97 in 100 (very likely)": how often the simulated years gave the band it has."""
    if certainty is None:
        return "–"
    return f"{in_100(certainty)} ({certainty_word(certainty)})"


def _url(query, **changes) -> str:
    query = query.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return "?" + query.urlencode()
