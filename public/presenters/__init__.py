"""Presenters: stored ratings, and the facts read from them
(ratings/standings.py), turned into what the public templates show: words,
rounded figures, sentences and charts. Templates hold no arithmetic and no
band-specific prose; presenters hold no queries. One module a page:
`report_card` (with `indicator_trends`), `compare`, `fairness`, `methodology`, `api_docs`, `band_changes`
(the card's "Why did the band change?" and the "What changed since last year" page), and `pages` for
the home, indicator, region and withdrawn pages; `band_meanings` (what each band
means, in the words of a run's parameters), `revisions` (a year's
corrections and withdrawals) and `charting` (which points a chart draws)
serve several; `funnel` is the indicator page's funnel plot; `feeds` words the Atom feeds' entries; `releases` is the release calendar.
Numbers and words shared with the charts are in public/formatting.py."""

from . import (  # noqa: F401 (the package's parts)
    api_docs, band_changes, band_meanings, charting, compare, fairness, feeds, funnel, indicator_trends, methodology,
    pages, releases, report_card, revisions)
