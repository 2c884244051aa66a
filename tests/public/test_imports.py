"""A web process serving the public site never loads pandas or numpy (about
50 MB of a worker's memory, against a 100 MB target for a worker streaming
a download): the engine and the admin's comparisons import them only when
they compute. Checked in a fresh interpreter, since this test process has
long imported both."""

import os
import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import django
django.setup()
from django.urls import get_resolver
import public
get_resolver().url_patterns  # the whole site's URLs, admin's included, as a worker loads them
for module in pkgutil.walk_packages(public.__path__, "public."):
    importlib.import_module(module.name)
import ratings.admin, ratings.views, ratings.queries, ratings.actions, ratings.tasks, ratings.exports
print(sorted({name.split(".")[0] for name in sys.modules} & {"pandas", "numpy"}))
"""


def test_the_site_loads_without_pandas_or_numpy():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "trafficlights.settings", "DEBUG": "True"}
    finished = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=environment,
                              check=True)
    assert finished.stdout.strip().splitlines()[-1] == "[]", finished.stdout
