"""Numbers and words as the public site writes them: figures, chart ticks,
shares, points, ordinals, plurals, lists and sentences. Pure: no Django, so
the charts (pure too) and the presenters share it."""

from __future__ import annotations

import math

from ratings import bands


def format_number(value, places: int = 2) -> str:
    """Plain figures: thousands separated, at most `places` decimals, no trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def format_tick(value: float) -> str:
    """Chart tick labels: 3 decimals (3 significant figures below 0.1, so small steps stay
    distinct), no trailing zeros, thousands separated from 10,000."""
    magnitude = abs(value)
    decimals = 3 if magnitude >= 0.1 or magnitude == 0 else min(2 - math.floor(math.log10(magnitude)), 12)
    text = f"{value:,.{decimals}f}" if magnitude >= 10000 else f"{value:.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def format_signed(value: float) -> str:
    """A change with its sign, to 2 decimals: "+0.02", "−0.14", "0"."""
    text = format_number(value)
    return text if text == "0" or text.startswith("−") else f"+{text}"


def format_points(value: float) -> str:
    return format_number(abs(value)) + (" point" if abs(round(value, 2)) == 1 else " points")


def percent_of(count: int, total: int) -> str:
    """A count's share of a total, to the whole per cent."""
    return f"{round(100 * count / total)}%" if total else "–"


def bar_share(count: int, total: int) -> str:
    """A chart's bar segment label: whole per cent, halves up, and "<1%" for a
    segment that is there (so it never shows as 0%)."""
    share = f"{math.floor(100 * count / total + 0.5)}%"
    return "<1%" if share == "0%" else share


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def count_words(count: int) -> str:
    """"two", or the figure past ten."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else str(count)


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def position_words(position: int, count: int | None = None, tied_with: int | None = None) -> str:
    """A position among peers, under the one tie rule (`ratings.peers.Standing`:
    ties share the better position), said wherever a position is shown:
    "12th of 98", "joint 1st of 93, with 71 others", "joint 3rd with 1 other"."""
    words = f"{ordinal(position)}" + (f" of {count}" if count is not None else "")
    if not tied_with:
        return words
    others = "1 other" if tied_with == 1 else f"{tied_with} others"
    return f"joint {words}{',' if count is not None else ''} with {others}"


def plural_of(organisation_type) -> str:
    return (organisation_type.plural_name or f"{organisation_type.name}s").lower()


def sentence(text: str) -> str:
    """Text as written by an admin, ending with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def listed(words: list[str], last: str = "and") -> str:
    """"a, b and c"."""
    return ", ".join(words[:-1]) + f" {last} {words[-1]}" if len(words) > 1 else "".join(words)


def rated_band_words(last: str = "and") -> str:
    """The bands of rated organisations in words, in order: "green, yellow and red"."""
    return listed([band.word.lower() for band in bands.RATED], last)
