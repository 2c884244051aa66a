"""The bands, in order: each one's code, word, consequences, marker and colours.
Pure: no Django, no pandas, so the engine and the web process both read it.

Everything that names, orders, draws or explains a band reads it here: the
engine's labels, the model's choices and constraints, the admin's counts and
comparisons, the charts, the public site's tags, words and keys, the
downloads and the commands. Adding a band means a `BandTerms` here, the
engine's assignment (`engine.assign_bands`), one migration (the model's
choices and constraints list the codes) and, unless its tag colour is one of
NHS.UK's, CSS."""

from __future__ import annotations

from dataclasses import dataclass

GREEN, YELLOW, RED, NOT_RATED = "green", "yellow", "red", "not_rated"

# Colours of the NHS.UK design system (nhsuk-frontend's palette).
TEXT, WHITE = "#212b32", "#ffffff"


@dataclass(frozen=True)
class BandTerms:
    code: str  # as stored
    word: str  # as written, capitalised
    # What the band says of an organisation depends on the run's parameters
    # (the green share, how many core failures make red): the public site's
    # presenters write it (public/presenters/band_meanings.py).
    brings: str  # the home page's key to the colours: what the band brings, after its meaning
    consequences: str  # the report card's line before what the band brings, or ""
    escalates: bool  # what it brings steps up with each consecutive year in the band (the red ladder)
    shape: str  # its marker in charts and tags: circle, triangle, square or hollow diamond
    fill: str  # the marker's colour (a hollow marker's outline)
    ink: str  # text written on the fill
    tag: str  # the NHS.UK tag colour (class nhsuk-tag--<tag>)
    rated: bool = True


BANDS = (
    BandTerms(GREEN, "Green",
              brings="Green organisations earn more freedom: lighter-touch monitoring and more decisions made "
                     "locally.",
              consequences="Green organisations earn these freedoms:", escalates=False,
              shape="circle", fill="#007f3b", ink=WHITE, tag="green"),
    BandTerms(YELLOW, "Yellow",
              brings="",
              consequences="", escalates=False, shape="triangle", fill="#ffeb3b", ink=TEXT, tag="yellow"),
    BandTerms(RED, "Red",
              brings="Red organisations get escalating help and intervention.",
              consequences="Red organisations get escalating help and intervention, stepping up with each "
                           "consecutive red year.", escalates=True,
              shape="square", fill="#d5281b", ink=WHITE, tag="red"),
    BandTerms(NOT_RATED, "Not rated",
              brings="", consequences="", escalates=False,
              shape="hollow diamond", fill="#768692", ink=TEXT, tag="grey", rated=False),
)
CODES = tuple(band.code for band in BANDS)
RATED = tuple(band for band in BANDS if band.rated)
RATED_CODES = tuple(band.code for band in RATED)
_BY_CODE = {band.code: band for band in BANDS}


def of(code: str) -> BandTerms:
    """A band's terms; anything that is not a band's code reads as not rated."""
    return _BY_CODE.get(code, _BY_CODE[NOT_RATED])


def word(code: str) -> str:
    return of(code).word

