#!/usr/bin/python3
# Inputs and expected outputs of the lit tests in tests/lit/sync, computed
# with numpy independently of ptk. Integer-valued f32 data, so every sum is
# exact and ptk's results must match bit for bit. Run from this folder:
#   /usr/bin/python3 gen.py
import numpy as np

rng = np.random.default_rng(13)


def ints(shape):
    return rng.integers(-4, 5, size=shape).astype(np.float32)


# matmul_events_if.pto: y = A @ B, A 32x64 and B 64x32. With a flag set the
# matrix is passed column-major (its transpose's bytes).
a, b = ints((32, 64)), ints((64, 32))
np.save("mt_a.npy", a)
np.save("mt_b.npy", b)
np.save("mt_at.npy", np.ascontiguousarray(a.T))  # A column-major = A^T row-major 64x32
np.save("mt_bt.npy", np.ascontiguousarray(b.T))  # 32x64
np.save("mt_y.npy", (a @ b).astype(np.float32))

# ffn_splitk.pto: h = X @ W1 accumulated over two K chunks of 32,
# act = h * 0.5 + 1, y = act @ W2.
x, w1, w2 = ints((32, 64)), ints((64, 32)), ints((32, 32))
h = x[:, :32] @ w1[:32] + x[:, 32:] @ w1[32:]
act = (h * np.float32(0.5) + np.float32(1)).astype(np.float32)
np.save("ffn_x.npy", x)
np.save("ffn_w1.npy", w1)
np.save("ffn_w2.npy", w2)
np.save("ffn_h.npy", h.astype(np.float32))
np.save("ffn_act.npy", act)
np.save("ffn_y.npy", (act @ w2).astype(np.float32))
