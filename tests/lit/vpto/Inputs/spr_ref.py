# Inputs and expectations of run_spr.pto: spr_ref.py DIR writes lists.npy;
# spr_ref.py DIR check X Y OUT SR compares the kernels' outputs.
import os
import sys

import numpy as np

# four descending lists of (score, index) records at element offsets 0, 8, 16, 32
lists = [[(7.0, 1), (5.0, 2), (1.0, 3)], [(6.0, 11), (5.0, 12)],
         [(9.0, 21), (5.0, 22), (4.0, 23), (-2.0, 24)], [(3.0, 31)]]
starts = [0, 8, 16, 32]
buf = np.zeros(40, np.float32)
for s, lst in zip(starts, lists):
    for j, (score, idx) in enumerate(lst):
        buf[s + 2 * j] = score
        buf[s + 2 * j + 1] = np.array([idx], np.uint32).view(np.float32)[0]
d = sys.argv[1]
if len(sys.argv) == 2:
    os.makedirs(d, exist_ok=True)
    np.save(d + "/lists.npy", buf)
    sys.exit(0)
x, y = np.load(sys.argv[3]), np.load(sys.argv[4])
want = np.concatenate([x[x > 0], x[~(x > 0)]])
print("partition exact" if np.array_equal(y, want) else "partition WRONG")
recs = sorted(((-sc, k, j, idx) for k, lst in enumerate(lists) for j, (sc, idx) in enumerate(lst)))
exp = np.zeros(20, np.float32)
for i, (nsc, k, j, idx) in enumerate(recs):
    exp[2 * i] = -nsc
    exp[2 * i + 1] = np.array([idx], np.uint32).view(np.float32)[0]
out = np.load(sys.argv[5])
print("merge exact" if np.array_equal(out.view(np.uint32), exp.view(np.uint32)) else "merge WRONG")
print("vms4", *np.load(sys.argv[6]).tolist())
