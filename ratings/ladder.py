"""The red escalation ladder: how long an organisation has been red, from its
published history. Pure; the report card and the admin's intervention list
both count this way."""


def consecutive_years(years: set[int], up_to: int) -> int:
    """How many years running, ending with `up_to`, are in `years`."""
    count = 0
    while up_to - count in years:
        count += 1
    return count
