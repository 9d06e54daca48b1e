"""Regexes that take milliseconds to compile, run on a thread of their own.

Polars compiles a pattern string on the thread that runs the query and keeps the last 32 it
compiled per thread. A scan's threads use some 100 distinct patterns a partition (every
recognizer's prefilter and patterns, in every column), so each is compiled again for every
partition; for most that costs well under a millisecond, but the address recognizer's lists
of every division name take 8–16 ms. On one thread that runs only such patterns they are
compiled once per process (bench/RESULTS.md, session 30).
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import polars as pl


@functools.cache
def _thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(1, thread_name_prefix="baomi-regex")


# a forked child has none of the thread: it makes its own if it ever needs one
os.register_at_fork(after_in_child=_thread.cache_clear)


def contains(cells: pl.Series, pattern: str) -> pl.Series:
    """``cells.str.contains(pattern)``, on the thread of costly patterns (the result the
    same): for a pattern that takes milliseconds to compile, used on every partition."""
    return _thread().submit(cells.str.contains, pattern).result()
