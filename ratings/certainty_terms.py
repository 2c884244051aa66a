"""The spec's words for band certainty and a band change, and their
thresholds (shared/specs/rating-method.md, "Band certainty" and
"Significance of a band change"): pure, so the public site, the downloads
and the browse filter read them without numpy; `simulation` reads them too."""

VERY_LIKELY = 0.95  # certainty at least this: "very likely"
LIKELY = 0.80  # at least this: "likely"; below: "uncertain"
NAMED_OTHER = 0.20  # an uncertain band names the other bands that came out at least this often
REAL_CHANGE = 0.95  # P(real) at least this: "a real change"; below: "could be chance"

CERTAINTY_WORDS = ("very likely", "likely", "uncertain")
CHANGE_WORDS = ("a real change", "could be chance")


def certainty_word(certainty: float) -> str:
    """The spec's word for a band's certainty: very likely, likely or uncertain."""
    if certainty >= VERY_LIKELY:
        return "very likely"
    if certainty >= LIKELY:
        return "likely"
    return "uncertain"


def change_significance(p_real: float) -> str:
    """The spec's words for a band change: "a real change" or "could be chance"."""
    return "a real change" if p_real >= REAL_CHANGE else "could be chance"
