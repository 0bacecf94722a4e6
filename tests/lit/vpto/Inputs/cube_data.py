# Inputs and exact expectations of run_cube.pto: cube_data.py DIR writes
# a, b, bias; cube_data.py DIR check C H compares the kernel's outputs.
import os
import sys

import numpy as np

d = sys.argv[1]
i = np.arange(40 * 50).reshape(40, 50)
a = ((i * 7 % 23) - 11).astype(np.float16) / np.float16(8)
j = np.arange(50 * 64).reshape(50, 64)
b = ((j * 5 % 19) - 9).astype(np.float16) / np.float16(4)
bias = ((np.arange(64) * 3 % 17) - 8).astype(np.float16)
if len(sys.argv) == 2:
    os.makedirs(d, exist_ok=True)
    np.save(d + "/a.npy", a.reshape(-1))
    np.save(d + "/b.npy", b.reshape(-1))
    np.save(d + "/bias.npy", bias)
    sys.exit(0)
c = 2 * (a.astype(np.float64) @ b.astype(np.float64)) + bias.astype(np.float64)
y = c * 0.5
y = np.where(y >= 0, y, 0.25 * y)
h = np.minimum(y, 3.0).astype(np.float16)
print("c exact" if np.array_equal(np.load(sys.argv[3]), c.astype(np.float32).reshape(-1)) else "c WRONG")
print("h exact" if np.array_equal(np.load(sys.argv[4]), h.reshape(-1)) else "h WRONG")
