# Two epochs of the train benchmark in PyTorch (a cold one, then the timed one; a fresh model with
# seed 0 each): MLP 784-256-10 (ReLU), Adam lr 1e-3, batch 128, shuffled full Fashion-MNIST train
# set, then test accuracy. Prints one JSON line.
#   python3 bench/train_torch.py DATA_DIR THREADS
import gzip, json, sys, time
import numpy as np
import torch
from torch_blas import blas

def idx(path, offset):
    with gzip.open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

data, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
x = idx(f'{data}/train-images-idx3-ubyte.gz', 16).reshape(-1, 784).astype(np.float32) / 255
y = idx(f'{data}/train-labels-idx1-ubyte.gz', 8).astype(np.int64)
xt = idx(f'{data}/t10k-images-idx3-ubyte.gz', 16).reshape(-1, 784).astype(np.float32) / 255
yt = idx(f'{data}/t10k-labels-idx1-ubyte.gz', 8).astype(np.int64)
mean, std = x.mean(), x.std()
x, xt = torch.from_numpy((x - mean) / std), torch.from_numpy((xt - mean) / std)
y, yt = torch.from_numpy(y), torch.from_numpy(yt)
def epoch():
    """A fresh model (seed 0) trained one epoch: (seconds, model)."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    perm = torch.randperm(x.shape[0])
    for i in range(0, x.shape[0], 128):
        b = perm[i:i + 128]
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x[b]), y[b])
        loss.backward()
        opt.step()
    return time.perf_counter() - t0, model

cold, _ = epoch()  # allocator and kernel caches warm up
seconds, model = epoch()
with torch.no_grad():
    acc = (model(xt).argmax(1) == yt).float().mean().item()
print(json.dumps({'coldSeconds': cold, 'seconds': seconds, 'testAccuracy': acc, 'torch': torch.__version__, 'blas': blas()}))
