"""Where the administrative-division table lives: the ``cpca`` package's ``adcodes.csv``.

One place for the path (GB/T 2260 codes with province, city and district names). The file is
read directly as CSV: importing ``cpca`` itself is slow and needs ``pkg_resources``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def adcodes_path() -> Path:
    """Path of ``cpca/resources/adcodes.csv``; ``RuntimeError`` when cpca is not installed."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (administrative divisions) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
