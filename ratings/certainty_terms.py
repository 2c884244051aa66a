"""The spec's words for band certainty and a band change, and their
thresholds (shared/specs/rating-method.md, "Band certainty" and
"Significance of a band change"): pure, so the public site, the downloads
and the browse filter read them without numpy; `simulation` reads them too."""

VERY_LIKELY = 0.95  # certainty at least this: "very likely"
LIKELY = 0.80  # at least this: "likely"; below: "uncertain"
NAMED_OTHER = 0.20  # an uncertain band names the other bands that came out at least this often
REAL_CHANGE = 0.95  # P(real) at least this: "a real change"; below: "could be chance"
