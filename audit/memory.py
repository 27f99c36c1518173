"""Set each experiment's memory estimate (``params.memory_bytes()``, what ``--dry-run`` and the
guard read) beside what a run allocates: the peak of memory traced by ``tracemalloc`` (NumPy's
arrays and Python objects; not what compiled kernels allocate themselves) and the growth of the
process's peak resident size over its size before the run (an upper bound: freed memory the
allocator keeps counts). Each experiment runs in its own process, twice: the first run compiles
and imports what it needs, the second is measured.

    python audit/memory.py [NAME ...] [--set NAME=VALUE ...]

With no NAME, every registered experiment at its quick defaults.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, resource, sys, tracemalloc
from cerebellar.core import registry
from cerebellar.studies.load_sweep import RUNS
name, assignments = sys.argv[1], json.loads(sys.argv[2])
experiment = registry.get_experiment(name)
params = experiment.make_params(**experiment.params.parse(assignments))
registry.run(experiment, params)     # once to compile and import what the run needs
RUNS.clear()                         # and train the load sweeps' runs again, not from the cache
with open("/proc/self/statm") as f:
    before = int(f.read().split()[1]) * resource.getpagesize()
tracemalloc.start()
registry.run(experiment, params)
traced = tracemalloc.get_traced_memory()[1]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
print(json.dumps(dict(estimate=int(params.memory_bytes()[0]), traced=traced, grown=grown)))
"""


def measure(name: str, assignments: list[str]) -> dict[str, int]:
    out = subprocess.run([sys.executable, "-c", PROBE, name, json.dumps(assignments)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    from cerebellar.core import registry

    names, assignments, args = [], [], iter(argv)
    for a in args:
        if a == "--set":
            assignments.append(next(args))
        else:
            names.append(a)
    names = names or list(registry.experiments())
    mib = 2**20
    print(f"{'experiment':26s} {'estimate':>10s} {'traced':>10s} {'RSS grew':>10s}  estimate/traced")
    for name in names:
        m = measure(name, assignments)
        print(f"{name:26s} {m['estimate'] / mib:9.1f}M {m['traced'] / mib:9.1f}M "
              f"{m['grown'] / mib:9.1f}M  {m['estimate'] / max(m['traced'], 1):.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
