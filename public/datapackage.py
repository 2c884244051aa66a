"""The downloads described as a Frictionless Data Package
(https://specs.frictionlessdata.io/data-package/), served at
/downloads/datapackage.json: one tabular data resource for each published
year's CSV file, each with the Table Schema of its columns. The schemas come
from the one description of each file's columns (`downloads.DATASETS`), which
also gives the files their headers and the downloads page its documentation."""

from __future__ import annotations

from indicators.spreadsheets.table_schema import BOOLEAN, INTEGER, NUMBER, STRING
from indicators.years import format_year

from .downloads import DATASETS
from .formatting import listed

NAME = "nhs-traffic-light-ratings"
TITLE = "NHS traffic-light ratings"
DESCRIPTION = ("The published NHS traffic-light ratings of each year and the indicator results behind them. Each "
               "CSV file has a JSON twin (the same URL ending .json) holding {\"year\", \"columns\", \"rows\"}, "
               "each row an object of the same columns.")


def descriptor(years: list[int]) -> dict:
    """The data package of the published `years`' files, oldest first, ratings before results."""
    return {"profile": "tabular-data-package", "name": NAME, "title": TITLE, "description": DESCRIPTION,
            "resources": [resource(year, name) for year in sorted(years) for name in DATASETS]}


def resource(year: int, name: str) -> dict:
    dataset, shown = DATASETS[name], format_year(year)
    # The path is relative to the descriptor's own URL: /downloads/2000-01/ratings.csv.
    return {"profile": "tabular-data-resource", "name": f"{name}-{shown}", "path": f"{shown}/{name}.csv",
            "title": f"{dataset.title}, {shown}", "description": dataset.description, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "schema": dataset.schema}


_TYPE_WORDS = {STRING: "text", NUMBER: "number", INTEGER: "whole number", BOOLEAN: "yes or no"}


def documentation() -> list[dict]:
    """The downloads page's column documentation: each file's title, description and
    fields, read from the schemas the data package serves."""
    return [{"name": name, "title": dataset.title, "description": dataset.description,
             "primary_key": dataset.schema["primaryKey"],
             "fields": [{"name": field["name"], "type": _TYPE_WORDS[field["type"]],
                         "description": field["description"], "constraints": constraint_words(field)}
                        for field in dataset.schema["fields"]]}
            for name, dataset in DATASETS.items()]


def constraint_words(field: dict) -> str:
    """A field's Table Schema constraints in words ("Always given. One of green, yellow, red or not_rated.")."""
    constraints, words = field.get("constraints", {}), []
    if constraints.get("required"):
        words.append("Always given.")
    if "enum" in constraints:
        words.append(f"One of {listed(constraints['enum'], last='or')}.")
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if low is not None and high is not None:
        words.append(f"From {low} to {high}.")
    elif low is not None:
        words.append(f"At least {low}.")
    elif high is not None:
        words.append(f"At most {high}.")
    return " ".join(words)
