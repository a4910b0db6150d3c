#!/usr/bin/env python3
"""openTSNE's embedding of the first 1000 Fashion-MNIST test images, and its quality.

Writes tsne_reference.json next to this script: openTSNE 1.0 with its defaults (perplexity
30, PCA initialisation, early exaggeration 12 for 250 iterations, 500 more, learning rate
"auto", exact nearest neighbours; the negative gradient by Barnes–Hut, openTSNE's default
below 10000 points, and by its FFT interpolation), the embeddings, and
scikit-learn's trustworthiness and the 10-NN preservation of each. The Swift test embeds the
same images and must come within a stated margin.

Run with openTSNE and scikit-learn installed (not part of `make test`):
    /opt/benchvenv/bin/python Tests/ExplanationsTests/Fixtures/make_tsne_reference.py
"""
import gzip
import json
import os

import numpy as np
from openTSNE import TSNE
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors

FOLDER = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def preservation(x, y, k=10):
    a = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)[:, 1:]
    b = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    return float(np.mean([len(set(a[i]) & set(b[i])) / k for i in range(len(x))]))


x = (idx(f"{FOLDER}/t10k-images-idx3-ubyte.gz")[:1000].reshape(1000, -1) / 255).astype(np.float32)
out = {"n": 1000, "k": 10, "source": "t10k-images-idx3-ubyte.gz, first 1000, /255"}
for name, kwargs in (("bh", dict(neighbors="exact", negative_gradient_method="bh")),
                     ("fft", dict(neighbors="exact", negative_gradient_method="fft"))):
    embedding = np.asarray(TSNE(perplexity=30, random_state=0, n_jobs=1, **kwargs).fit(x))
    out[name] = {"trustworthiness": float(trustworthiness(x, embedding, n_neighbors=10)),
                 "preservation": preservation(x, embedding), "embedding": embedding.reshape(-1).tolist()}
    print(name, out[name]["trustworthiness"], out[name]["preservation"])
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tsne_reference.json"), "w") as f:
    json.dump(out, f)
