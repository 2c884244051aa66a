"""Races run for real: threads held at a barrier, each on its own database
connection, so two requests or tasks meet at the same moment (on both
databases; see the README's Tests section)."""

import threading

from django.db import connection


def race(*steps):
    """Run the steps at once; each one's result, or the exception it raised."""
    barrier, outcomes = threading.Barrier(len(steps)), [None] * len(steps)

    def run(index, step):
        try:
            barrier.wait()
            outcomes[index] = step()
        except Exception as error:  # recorded, and checked by the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
