#!/usr/bin/env python3
"""Reference values for MatrixRenyiTests.numpyReference: the matrix-based Rényi α-entropy
(Sánchez Giraldo, Rao & Príncipe 2015) of a layer given by a formula, with numpy's eigvalsh.

t[i, c] = float32(tanh(2 sin(0.37 i + 1.3 c))), i < 300, c < 5; label (t[i, 0] > 0) +
(t[i, 1] > 0) (three classes that T determines); the kernel
width by Scott's rule over all 300 rows, γ = 1. Prints S_α(T) and I_α(T;Y) in bits per α.
"""
import numpy as np

n, d = 300, 5
i, c = np.meshgrid(np.arange(n), np.arange(d), indexing="ij")
t = np.tanh(2 * np.sin(0.37 * i + 1.3 * c)).astype(np.float32).astype(np.float64)
y = (t[:, 0] > 0).astype(int) + (t[:, 1] > 0).astype(int)
s = np.sqrt(np.mean(t.var(axis=0)))
sigma = s * n ** (-1 / (4 + d))
dist = ((t[:, None, :] - t[None, :, :]) ** 2).sum(-1)
a = np.exp(-dist / (2 * sigma ** 2)) / n


def renyi(matrix, alpha):
    w = np.linalg.eigvalsh(matrix)
    w = w[w > len(w) * np.finfo(float).eps * np.abs(w).max()]
    return np.log2(np.sum(w ** alpha)) / (1 - alpha)


for alpha in (1.01, 2.0, 0.5):
    st = renyi(a, alpha)
    joint = np.zeros_like(a)
    for label in range(3):
        rows = y == label
        joint[np.ix_(rows, rows)] = a[np.ix_(rows, rows)]
    joint /= np.trace(joint)
    sy = np.log2(np.sum((np.bincount(y) / n) ** alpha)) / (1 - alpha)
    print(f"({alpha}, {float(st)!r}, {float(st + sy - renyi(joint, alpha))!r}),")
