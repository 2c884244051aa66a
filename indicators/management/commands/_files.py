"""What the import commands share: read a file, and refuse it with every
problem listed (file, line, column, message) when validation found any."""

from pathlib import Path

from django.core.management.base import CommandError

from indicators.spreadsheets import Problem, Table, TableError, group_problems, read_table


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None


def read_file_table(path: str) -> Table:
    try:
        return read_table(read_file(path), path)
    except TableError as error:
        refuse(path, error.problems, stderr=None)


def refuse(path: str, problems: list[Problem], stderr) -> None:
    """Raise CommandError naming every problem; print them all first when there are many.
    A message that many rows share is said once, with the count and the first lines."""
    name = Path(path).name
    lines = [f"{name}: {problem}" for problem in group_problems(problems)]
    if stderr is not None and len(lines) > 1:
        for line in lines:
            stderr.write(line)
    summary = lines[0] if len(lines) == 1 else f"{name}: {len(lines)} problems (listed above)"
    raise CommandError(f"{summary.rstrip('.')}. Nothing was stored.")
