"""Compare two folders of results (``cerebellar reproduce --out A`` and ``--out B``) value by
value: every data variable and coordinate of every ``NAME.nc`` must be bit-identical (NaN equal
to NaN). Differences of attributes are listed apart (renamed parameters show there), as are
variables present on one side only (a new rule's runs). Exit 1 if any shared value differs.

    python audit/same_results.py BEFORE AFTER [OLD=NEW ...]

``OLD=NEW`` names a variable renamed between the two (compared under its new name).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr


def same(a: xr.DataArray, b: xr.DataArray) -> bool:
    if a.dims != b.dims or a.shape != b.shape:
        return False
    x, y = a.values, b.values
    if x.dtype.kind in "fc" and y.dtype.kind in "fc":
        return bool(np.array_equal(x, y, equal_nan=True))
    return bool(np.array_equal(x, y))


def compare(before: Path, after: Path, renames: dict[str, str] | None = None) -> int:
    bad = 0
    for old in sorted(before.glob("*.nc")):
        new = after / old.name
        if not new.exists():
            print(f"{old.name}: missing in {after}")
            bad += 1
            continue
        with xr.open_dataset(old, engine="h5netcdf") as a, xr.open_dataset(new, engine="h5netcdf") as b:
            a, b = a.load(), b.load()
        a = a.rename({k: v for k, v in (renames or {}).items() if k in a.variables and v not in a.variables})
        extra = {d: b.sizes[d] - a.sizes[d] for d in a.dims if d in b.dims and b.sizes[d] != a.sizes[d]}
        if extra:  # new entries along a dim (a rule added): compare the shared labels only
            shared = {d: [x for x in a[d].values if x in set(b[d].values)] for d in extra}
            b = b.sel(shared)
            a = a.sel(shared)
        diffs = [n for n in a.variables if n in b.variables and not same(a[n], b[n])]
        only = sorted(set(a.variables) ^ set(b.variables))
        changed = sorted(k for k in set(a.attrs) | set(b.attrs)
                         if k not in ("parameters", "cerebellar_version", "params_class")
                         and str(a.attrs.get(k)) != str(b.attrs.get(k)))
        status = "DIFFERENT" if diffs else "same"
        bad += bool(diffs)
        print(f"{old.name}: {status}" + (f"; values differ: {', '.join(diffs)}" if diffs else "")
              + (f"; grown along {extra}" if extra else "")
              + (f"; on one side only: {', '.join(only)}" if only else "")
              + (f"; attrs changed: {', '.join(changed)}" if changed else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2]),
                     dict(arg.split("=", 1) for arg in sys.argv[3:])))
