# Expected rows of run_pred_more.pto: pred_more_ref.py X.npy OUT.npy
import sys

import numpy as np

x = np.load(sys.argv[1])
o = np.load(sys.argv[2]).reshape(7, 64)
v, w = x[:64], x[64:]
z = np.zeros(64, np.float32)


def ok(name, rows):
    print(name + (" exact" if all(np.array_equal(o[i], r) for i, r in rows) else " WRONG"))


ok("pltm", [(0, np.where(np.arange(64) + 64 < 70, v, 0))])
ok("vcbmax", [(1, np.where(np.arange(64) == 0, v.max(), 0)), (2, np.where(v == v.max(), v, 0))])
ok("vcbmin", [(3, np.where(np.arange(64) == 0, v.min(), 0)), (4, np.where(v == v.min(), v, 0))])
il = np.empty(128, np.float32)
il[0::2], il[1::2] = v, w
cat = np.concatenate([v, w])
ok("vintlvv2", [(5, il[:64]), (6, cat[1::2])])
