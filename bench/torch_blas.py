# Which BLAS Debian's torch runs on, for the PyTorch rows of the benches (bench/train_torch.py,
# bench/gemm_torch.py). torch resolves sgemm_ in the libblas.so.3 mapped into the process, which the
# system's alternatives pick (or LD_LIBRARY_PATH: bench/util.mjs torchChild).
#   python3 bench/torch_blas.py   prints the OpenBLAS kernel set (core name) torch gets here
import ctypes

def mapped(part):
    with open('/proc/self/maps') as f:
        return sorted({line.split()[-1] for line in f if part in line.split()[-1]})

def corename():
    """OpenBLAS's kernel set for this CPU (its detection, or OPENBLAS_CORETYPE), or None without OpenBLAS."""
    libs = mapped('libopenblas')
    if not libs:
        return None
    get = ctypes.CDLL(libs[0]).openblas_get_corename
    get.restype = ctypes.c_char_p
    return get().decode()

def blas():
    """The BLAS behind torch's matmuls, in words."""
    paths = mapped('libblas.so.3')
    if any('openblas' in p for p in paths):
        build = 'OpenMP' if any('openblas-openmp' in p for p in paths) else 'pthread'
        return f'OpenBLAS, {build} build, {corename()} kernels'
    if any('/blas/' in p for p in paths):
        return 'reference BLAS (netlib): install libopenblas0-openmp'
    return ', '.join(paths) or 'no libblas.so.3 mapped'

if __name__ == '__main__':
    import torch
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    print(corename())
