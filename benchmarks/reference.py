#!/usr/bin/env python3
"""PyTorch reference timings for `make bench` (CPU, 2 threads).

Usage: reference.py ibnet|ibnet-h5py|information|knn|cnn|lrp -> prints one JSON object of timings on stdout.

The workloads mirror benchmarks/swift/main.swift exactly. torch is not a test dependency:
install it in a virtual environment outside the repository and point INFOPLANE_BENCH_PYTHON
at that Python (see benchmarks/README.md).
"""
import gzip
import json
import os
import sys
import time

import numpy as np

try:
    import torch
    torch.set_num_threads(2)
except ImportError:  # the knn workload needs numpy and scipy only
    torch = None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def var_u():
    # The 4096 12-bit patterns (row i = binary digits of i) and var_u's labels, read
    # from the shipped MAT file with scipy when present, else the bits alone with
    # random labels (timing does not depend on the labels).
    x = np.array([[int(b) for b in format(i, "012b")] for i in range(4096)], dtype=np.float32)
    try:
        import scipy.io
        y = scipy.io.loadmat(os.path.join(ROOT, "data", "var_u.mat"))["y"].ravel().astype(np.int64)
    except Exception:
        y = np.random.default_rng(0).integers(0, 2, 4096)
    return torch.from_numpy(x), torch.from_numpy(y)


def ibnet(h5_path=None):
    x, y = var_u()
    perm = np.random.default_rng(0).permutation(4096)
    train = torch.from_numpy(perm[:3277])
    widths = [12, 10, 7, 5, 4, 3]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    layers += [torch.nn.Linear(3, 2)]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=4e-4, eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    grads, acts = [], []
    h5 = None
    if h5_path:
        import h5py
        h5 = h5py.File(h5_path, "w")
        sizes = [10, 7, 5, 4, 3, 2]
        dsets = [h5.create_dataset(f"layers/{i}/activations", shape=(0, 4096, n), maxshape=(None, 4096, n),
                                   chunks=(1, 4096, n), dtype="f4") for i, n in enumerate(sizes)]
        gstats = h5.create_dataset("gradients", shape=(0, 6, 4), maxshape=(None, 6, 4), dtype="f8")

    def epoch():
        order = train[torch.randperm(len(train))]
        for i in range(0, len(order), 256):
            idx = order[i:i + 256]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            grads.append([p.grad.detach().clone() for p in model.parameters()])
            opt.step()
        with torch.no_grad():
            h = x
            out = []
            for layer in model:
                h = layer(h)
                if not isinstance(layer, torch.nn.Linear) or layer is model[-1]:
                    out.append(h.numpy().copy())
            acts.append(out)
        if h5 is not None:
            # ibsgd's LoggingReporter: per layer, norm of the mean and of the std of the
            # minibatch gradients, and the weight norm; then append every layer's activations.
            weights = [p for p in model.parameters() if p.dim() == 2]
            stats = []
            for i, w in enumerate(weights):
                stacked = np.stack([g[2 * i].numpy() for g in grads])
                stats.append([np.linalg.norm(stacked.mean(0)), np.linalg.norm(stacked.std(0)), 0, np.linalg.norm(w.detach().numpy())])
            n = gstats.shape[0]
            gstats.resize(n + 1, axis=0)
            gstats[n] = np.array(stats)
            for d, a in zip(dsets, out):
                d.resize(n + 1, axis=0)
                d[n] = a
            h5.flush()
        grads.clear()
        acts.clear()

    for _ in range(50):
        epoch()
    samples = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(100):
            epoch()
        samples.append((time.perf_counter() - t) / 100 * 1000)
    return {"epoch_ms": sorted(samples)[3]}


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def fashion_mnist(shape):
    """Fashion-MNIST's training and test images (scaled to [0, 1], each reshaped to
    `shape`) and labels, as the Swift benchmarks load them."""
    folder = "/usr/share/datasets/fashion-mnist"
    def images(name):
        return torch.from_numpy(idx(f"{folder}/{name}-images-idx3-ubyte.gz").astype(np.float32) / 255).reshape(-1, *shape)
    def labels(name):
        return torch.from_numpy(idx(f"{folder}/{name}-labels-idx1-ubyte.gz").astype(np.int64))
    return images("train"), labels("train"), images("t10k"), labels("t10k")


def train_epoch(model, opt, loss_fn, x, y):
    """One epoch over 60000 images in shuffled minibatches of 128."""
    order = torch.randperm(60000)
    for i in range(0, 60000, 128):
        idx_ = order[i:i + 128]
        opt.zero_grad()
        loss_fn(model(x[idx_]), y[idx_]).backward()
        opt.step()


def metrics_pass(model, loss_fn, sets):
    """The Swift trainer's per-epoch metrics pass: loss and accuracy on every image of
    each (images, labels) set, in blocks of 4096."""
    with torch.no_grad():
        for data, labels in sets:
            for i in range(0, len(data), 4096):
                logits = model(data[i:i + 4096])
                loss_fn(logits, labels[i:i + 4096]).item()
                (logits.argmax(1) == labels[i:i + 4096]).sum().item()


def fashion_cnn():
    """The CNN of experiments/fashion-cnn.yaml."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 16, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def cnn():
    x, y, xt, yt = fashion_mnist((1, 28, 28))
    model = fashion_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    train_times, epoch_times, metrics_times = [], [], []
    for _ in range(3):
        t = time.perf_counter()
        train_epoch(model, opt, loss_fn, x, y)
        train_times.append(time.perf_counter() - t)
        m = time.perf_counter()
        metrics_pass(model, loss_fn, ((x, y), (xt, yt)))
        epoch_times.append(time.perf_counter() - t)
        metrics_times.append(time.perf_counter() - m)
    return {"train_s": sorted(train_times)[1], "epoch_s": sorted(epoch_times)[1], "metrics_s": sorted(metrics_times)[1]}


def mnist_mlp():
    """The network of experiments/saxe2018-mnist.yaml (784-1024-20-20-20-10 tanh, SGD 1e-3,
    batch 128) on Fashion-MNIST: two epochs, each with the per-epoch metrics pass over all
    60000 training and 10000 test images that the Swift trainer runs."""
    x, y, xt, yt = fashion_mnist((784,))
    layers = []
    for a, b in ((784, 1024), (1024, 20), (20, 20), (20, 20)):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(20, 10))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    train_times, epoch_times = [], []
    for _ in range(2):
        t = time.perf_counter()
        train_epoch(model, opt, loss_fn, x, y)
        train_times.append(time.perf_counter() - t)
        metrics_pass(model, loss_fn, ((x, y), (xt, yt)))
        epoch_times.append(time.perf_counter() - t)
    return {"train_s": min(train_times), "epoch_s": min(epoch_times)}


def information():
    """Per logged epoch: the 2017 code's binning (digitize + unique rows, 30 bins) and the
    KDE upper bound of I(X;T) and I(T;Y) in PyTorch's GEMM form (Saxe et al.'s kde.py), on
    activations of the IBnet's shapes (4096 samples; 10, 7, 5, 4, 3, 2 units)."""
    rng = np.random.default_rng(0)
    layers = [np.tanh(rng.normal(size=(4096, n)) * 2).astype(np.float32) for n in (10, 7, 5, 4, 3, 2)]
    y = rng.integers(0, 2, 4096)
    bins = np.linspace(-1, 1, 31)

    def entropy(rows):
        b = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))
        _, counts = np.unique(b, return_counts=True)
        p = counts / counts.sum()
        return -np.sum(p * np.log2(p))

    def binning():
        for t in layers:
            d = bins[np.digitize(np.squeeze(t.reshape(1, -1)), bins) - 1].reshape(len(t), -1)
            entropy(d)
            sum((y == c).mean() * entropy(d[y == c]) for c in (0, 1))

    def kde(var=0.1):
        for t in layers:
            x = torch.from_numpy(t)
            def term(h):
                n = h.shape[0]
                sq = (h * h).sum(1)
                dist = (sq[:, None] + sq[None, :] - 2 * h @ h.T).clamp(min=0)
                return -(torch.logsumexp(-dist / (2 * var), dim=1) - np.log(n)).mean()
            hx = term(x)
            hc = sum((y == c).mean() * term(x[torch.from_numpy(y == c)]) for c in (0, 1))
            float(hx), float(hx - hc)

    times = {}
    for name, f, repeats in (("binning_ms", binning, 20), ("kde_ms", kde, 3)):
        f()
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            f()
            samples.append((time.perf_counter() - t) * 1000)
        times[name] = sorted(samples)[len(samples) // 2]
    return times


def knn():
    """The k-NN estimates of benchmarks/swift/Estimators.swift's knnBenchmark with scipy's
    cKDTree (2 workers): ĥ(T) and ĥ(T | Y) by Kozachenko–Leonenko, k = 3, and Ross's KSG
    I(T;Y) as scikit-learn's mutual_info_classif computes it (one tree per class for the
    radii, one over all samples for the counts), on tanh of uniform values in [−3, 3]."""
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln

    def kl(t, k=3):
        n, d = t.shape
        dist = cKDTree(t).query(t, k=k + 1, workers=2)[0][:, -1]
        return (digamma(n) - digamma(k) + d / 2 * np.log(np.pi) - gammaln(d / 2 + 1)
                + d * np.mean(np.log(np.maximum(dist, 1e-10)))) / np.log(2)

    def ksg(t, y, k=3):
        radius = np.empty(len(t))
        for c in np.unique(y):
            rows = y == c
            radius[rows] = np.nextafter(cKDTree(t[rows]).query(t[rows], k=k + 1, workers=2)[0][:, -1], 0)
        m = cKDTree(t).query_ball_point(t, radius, return_length=True, workers=2)
        counts = np.array([np.sum(y == c) for c in y])
        return (digamma(len(t)) + digamma(k) - np.mean(digamma(counts)) - np.mean(digamma(m))) / np.log(2)

    times = {}
    for n, d in ((4096, 3), (4096, 10), (60000, 3), (60000, 10)):
        t = np.tanh(np.random.default_rng(1).uniform(-3, 3, size=(n, d))).astype(np.float32)
        y = np.arange(n) % 2
        for name, f in (("knn", lambda: (kl(t), sum(0.5 * kl(t[y == c]) for c in (0, 1)))), ("ksg", lambda: ksg(t, y))):
            f()
            samples = []
            for _ in range(3):
                start = time.perf_counter()
                f()
                samples.append((time.perf_counter() - start) * 1000)
            times[f"{name}_{n}_{d}_ms"] = sorted(samples)[1]
    return times


def lrp():
    """zennit 0.5 on the CNN of fashion-cnn.yaml, 1000 test images in one batch."""
    try:
        import torchvision  # noqa: F401  (zennit imports two ResNet block classes from it)
    except Exception:
        import types
        stub = types.ModuleType("torchvision")
        stub.models = types.ModuleType("torchvision.models")
        stub.models.resnet = types.ModuleType("torchvision.models.resnet")
        stub.models.resnet.Bottleneck = type("Bottleneck", (torch.nn.Module,), {})
        stub.models.resnet.BasicBlock = type("BasicBlock", (torch.nn.Module,), {})
        sys.modules.update({"torchvision": stub, "torchvision.models": stub.models,
                            "torchvision.models.resnet": stub.models.resnet})
    from zennit.attribution import Gradient
    from zennit.composites import EpsilonPlusFlat, EpsilonGammaBox
    folder = "/usr/share/datasets/fashion-mnist"
    x = torch.from_numpy(idx(f"{folder}/t10k-images-idx3-ubyte.gz")[-1000:].astype(np.float32) / 255).unsqueeze(1)
    model = fashion_cnn().eval()
    times = {}
    for name, composite in (("epsilon_plus_flat", EpsilonPlusFlat()), ("epsilon_gamma_box", EpsilonGammaBox(low=0., high=1.))):
        samples = []
        for _ in range(5):
            t = time.perf_counter()
            with Gradient(model=model, composite=composite) as attributor:
                logits = model(x)
                target = torch.zeros_like(logits)
                target[range(len(x)), logits.argmax(1)] = 1
                attributor(x, target)
            samples.append((time.perf_counter() - t) * 1000)
        times[name + "_ms"] = sorted(samples)[2]
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        xi = x.clone().requires_grad_()
        logits = model(xi)
        logits.gather(1, logits.argmax(1, keepdim=True)).sum().backward()
        samples.append((time.perf_counter() - t) * 1000)
    times["gradient_ms"] = sorted(samples)[2]
    return times


if __name__ == "__main__":
    workload = sys.argv[1] if len(sys.argv) > 1 else "ibnet"
    if workload == "ibnet-h5py":
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            print(json.dumps(ibnet(os.path.join(d, "run.h5"))))
    else:
        print(json.dumps({"ibnet": ibnet, "cnn": cnn, "mnist-mlp": mnist_mlp, "information": information, "knn": knn, "lrp": lrp}[workload]()))
