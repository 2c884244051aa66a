"""Shared by the benchmarks: a demo data set with a return of an exact size."""

import csv
import io

INDICATORS = 20


def make_return_files(rows: int, years: tuple[int, ...]) -> dict[str, bytes]:
    """CSV bytes of the regions, organisations, indicators and a return of
    exactly `rows` rows (trusts, 20 indicators, the given years), from the demo generator."""
    from indicators import demo

    # About 3% of values are missing in the demo: generate a margin, then trim.
    organisations = int(rows / (INDICATORS * len(years)) * 1.1) + 1
    data = demo.generate(organisations={"TRUST": organisations}, indicators_per_type=INDICATORS - 1, years=years)
    data.returns = data.returns[: rows + 1]
    files = {}
    for name in ("regions", "organisations", "indicators", "returns"):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(getattr(data, name))
        files[name] = buffer.getvalue().encode()
    return files
