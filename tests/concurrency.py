"""Run the same function from many threads at once, each with its own database connection."""
import threading

from django.db import connections


def run_concurrently(fn, count: int) -> list:
    """Start `count` threads behind a barrier so they hit the database together.

    Returns each call's result or the exception it raised.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int):
        try:
            barrier.wait()
            results[index] = fn(index)
        except Exception as exc:  # the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
