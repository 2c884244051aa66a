"""Presenters: stored ratings, and the facts read from them
(ratings/standings.py), turned into what the public templates show: words,
rounded figures, sentences and charts. Templates hold no arithmetic and no
band-specific prose; presenters hold no queries. One module a page:
`report_card`, `fairness`, `methodology`, `band_changes` (the card's
"Why did the band change?" and the "What changed since last year" page), and `pages` for the home,
indicator, region and withdrawn pages; `revisions` (a year's corrections and
withdrawals) and `charting` (which points a chart draws) serve several.
Numbers and words shared with the charts are in public/formatting.py."""

from . import band_changes, charting, fairness, methodology, pages, report_card, revisions  # noqa: F401 (the package's parts)
