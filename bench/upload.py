"""Benchmark: a 100,000-row return through the web upload flow.

Signs in as an admin and, through Django's test client (the whole request
cycle, without the network), uploads the file (checked and previewed: the
parser, the upload rules and the dry-run diff, all kept with the upload),
opens the preview page, then confirms it; also the same file with one error
in its last row. Prints the seconds of each step and the peak traced memory
of the upload. Target: validated and previewed within 10 s; memory bounded.

    .venv/bin/python bench/upload.py [--rows 100000] [--database sqlite|postgres|both]
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import make_return_files  # noqa: E402
from bench._django import run_per_database, setup  # noqa: E402


def make_files(rows: int) -> dict[str, bytes]:
    """The demo files and a one-year return, plus the same return with an error in its last row."""
    files = make_return_files(rows, years=(2000,))
    head, last = files["returns"].rstrip(b"\n").rsplit(b"\n", 1)
    cells = last.split(b",")
    cells[3] = b"n/a"
    files["broken"] = head + b"\n" + b",".join(cells) + b"\n"
    return files


def bench(rows: int) -> None:
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # Django's test client's host
    setup()
    import tempfile

    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from indicators.models import ReturnImport

    files = make_files(rows)
    with tempfile.TemporaryDirectory() as folder:
        for name in ("regions", "organisations", "indicators"):
            Path(folder, f"{name}.csv").write_bytes(files[name])
            call_command(f"import_{name}", str(Path(folder, f"{name}.csv")), stdout=open(os.devnull, "w"))
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="x"))

    def upload(content):
        return client.post("/returns/", {"year": "2000", "file": SimpleUploadedFile("returns.csv", content)})

    figures = {}
    for label, content in (("with one error in the last row", files["broken"]), ("valid", files["returns"])):
        start = time.perf_counter()
        response = upload(content)
        checked = time.perf_counter()
        page = client.get(response["Location"])
        shown = time.perf_counter()
        upload_row = ReturnImport.objects.latest("pk")
        assert page.status_code == 200
        figures[label] = (checked - start, shown - checked, upload_row.status, len(upload_row.problems))
    tracemalloc.start()
    upload(files["returns"])
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    latest = ReturnImport.objects.latest("pk")
    start = time.perf_counter()
    client.post(f"/returns/{latest.pk}/confirm/")
    confirm = time.perf_counter() - start
    latest.refresh_from_db()

    print(f"\n{os.environ['BENCH_DATABASE']}: {rows:,}-row return ({len(files['returns']) / 1e6:.1f} MB) "
          f"through the upload pages")
    print(f"{'file':32} {'check+preview':>13} {'page':>7} {'total':>7} {'status':>10} {'problems':>8}")
    for label, (check, page, status, problems) in figures.items():
        print(f"{label:32} {check:12.2f}s {page:6.2f}s {check + page:6.2f}s {status:>10} {problems:8d}")
    print(f"confirm (store {latest.new_values:,} new values): {confirm:.2f} s, status {latest.status}")
    print(f"peak traced memory of one upload: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if "BENCH_DATABASE" in os.environ:
        bench(args.rows)
    else:
        databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        raise SystemExit(run_per_database(__file__, databases, ["--rows", str(args.rows)]))


if __name__ == "__main__":
    main()
