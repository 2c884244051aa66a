"""`make run` serves on 8000, or on the port given: `make run PORT=8100`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("arguments, port", [([], "8000"), (["PORT=8100"], "8100")])
def test_make_run_serves_on_the_port_given(arguments, port):
    # -n prints the commands without running them.
    commands = subprocess.run(["make", "-n", "run", *arguments], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
    assert re.findall(r"gunicorn \S+ --bind (\S+)", commands) == [f"127.0.0.1:{port}"]
