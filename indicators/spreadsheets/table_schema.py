"""One description of a file's columns, in the terms of Frictionless Data's
Table Schema (https://specs.frictionlessdata.io/table-schema/): each column's
name, type, meaning and constraints. A file's writer takes its header from
it, the site's `datapackage.json` its schema, and the downloads page its
column documentation, so the three cannot disagree. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass, field

# Table Schema types used here; a cell is written as Python's str() of the value,
# so a number is "12.5" or "1e-06" and an integer "12".
STRING, NUMBER, INTEGER, BOOLEAN = "string", "number", "integer", "boolean"
TRUE_VALUES, FALSE_VALUES = ("yes",), ("no",)  # how the files write a boolean
MISSING = ""  # an empty cell: no value


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # STRING, NUMBER, INTEGER or BOOLEAN
    description: str
    # Table Schema constraints: required, enum, minimum, maximum, pattern.
    constraints: dict = field(default_factory=dict, hash=False)


def field_descriptor(column: Column) -> dict:
    """The column as a Table Schema field."""
    descriptor = {"name": column.name, "type": column.type, "description": column.description}
    if column.type == BOOLEAN:
        descriptor.update(trueValues=list(TRUE_VALUES), falseValues=list(FALSE_VALUES))
    if column.constraints:
        descriptor["constraints"] = dict(column.constraints)
    return descriptor


def table_schema(columns: list[Column], primary_key: list[str]) -> dict:
    """A Table Schema of the columns, in their order, with its primary key."""
    names = [column.name for column in columns]
    assert len(set(names)) == len(names) and set(primary_key) <= set(names), (names, primary_key)
    return {"fields": [field_descriptor(column) for column in columns], "primaryKey": list(primary_key),
            "missingValues": [MISSING]}


def names(columns: list[Column]) -> list[str]:
    """A file's header."""
    return [column.name for column in columns]


def yes_no(value) -> str | None:
    """A boolean as the files write it; empty for none."""
    return None if value is None else (TRUE_VALUES[0] if value else FALSE_VALUES[0])
