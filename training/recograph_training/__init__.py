"""Training, export and parity tooling for recograph's neighbourhood-attention GAT (docs/model.md)."""

import os

# libgomp reads this when torch loads it. Its default busy-wait makes torch's 2 threads about 18×
# slower whenever another process wants the CPU too (measured: 3.5 s → 63 s per demo epoch);
# a short spin costs ~15% when idle and keeps a contended epoch near 10 s.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
