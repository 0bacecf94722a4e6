# The numpy side of tests/bench/engines.c (run by it with OPENBLAS_NUM_THREADS=1:
# numpy's elementwise code is single-threaded, and the matmul targets are
# against single-thread sgemm). Same sizes and input distribution as the ptk
# runs; each figure is the best of interleaved runs. Prints "name seconds".
# Usage: python3 engines.py REPS
import sys, time, numpy as np

blas = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l})
reps = int(sys.argv[1])
R, C = 4096, 1024
rng = np.random.default_rng(1)
x = rng.uniform(-1, 1, (R, C)).astype(np.float32)
y = rng.uniform(-1, 1, (R, C)).astype(np.float32)
g = rng.uniform(-1, 1, (C,)).astype(np.float32)
b = rng.uniform(-1, 1, (C,)).astype(np.float32)
z = np.empty_like(x)
M = 1024
ma = rng.uniform(-1, 1, (M, M)).astype(np.float32)
mb = rng.uniform(-1, 1, (M, M)).astype(np.float32)
mc = np.empty_like(ma)
S, D = 2048, 128
q, k, v = (rng.uniform(-1, 1, (S, D)).astype(np.float16).astype(np.float32) for _ in range(3))
scale = np.float32(1 / np.sqrt(D))


def vadd(): np.add(x, y, out=z)
def softmax():
    m = x.max(axis=1, keepdims=True); e = np.exp(x - m); e /= e.sum(axis=1, keepdims=True)
def rmsnorm():
    return x * g / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + np.float32(1e-6))
def layernorm():
    m = x.mean(axis=1, keepdims=True); d = x - m
    return d / np.sqrt((d * d).mean(axis=1, keepdims=True) + np.float32(1e-5)) * g + b
def sgemm(): np.matmul(ma, mb, out=mc)
def attention():  # full S x S scores, in place where numpy allows
    s = q @ k.T
    s *= scale
    s -= s.max(axis=1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=1, keepdims=True)
    return s @ v


fs = [('vadd', vadd, reps), ('softmax', softmax, reps), ('rmsnorm', rmsnorm, reps),
      ('layernorm', layernorm, reps), ('sgemm', sgemm, reps), ('attention', attention, max(3, reps // 3))]
best = {n: 1e9 for n, _, _ in fs}
for r in range(reps):
    for n, f, nr in fs:
        if r >= nr: continue
        t0 = time.perf_counter(); f(); t = time.perf_counter() - t0
        best[n] = min(best[n], t)
print('blas', ','.join(blas) or 'none')
for n, _, _ in fs: print(n, best[n])
