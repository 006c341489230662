# PyTorch (CPU, Debian's python3-torch) GEMM timings for bench/gemm.bench.mjs, in the same run.
#   python3 bench/gemm_torch.py THREADS 'JSON [[name, m, n, k, transA, transB, runs], ...]'
# Prints one JSON line: {torch, blas, gflops: {name: GFLOP/s}}. op(A) and op(B) are transposed views
# where the shape says so, as the other engines get them (nn.Linear's x·Wᵀ is torch.mm(x, W.t())).
# Each: median of `runs` samples of at least 10 ms after 3 warm-up calls, into a preallocated C.
import json, statistics, sys, time
import torch
from torch_blas import blas

threads, jobs = int(sys.argv[1]), json.loads(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
gflops = {}
for name, m, n, k, trans_a, trans_b, runs in jobs:
    a = (torch.rand(k, m) - 0.5).t() if trans_a else torch.rand(m, k) - 0.5
    b = (torch.rand(n, k) - 0.5).t() if trans_b else torch.rand(k, n) - 0.5
    c = torch.empty(m, n)
    def call():
        torch.mm(a, b, out=c)
    for _ in range(3):
        call()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        if time.perf_counter() - t0 >= 0.01:
            break
        reps *= 2
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(reps):
            call()
        samples.append((time.perf_counter() - t0) / reps)
    gflops[name] = 2 * m * n * k / statistics.median(samples) / 1e9
print(json.dumps({'torch': torch.__version__, 'blas': blas(), 'gflops': gflops}))
