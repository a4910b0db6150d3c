"""A small CNN trained on Fashion-MNIST in PyTorch and recorded with infoplane's Python
package (1000 seeded test and training images recorded at each logged epoch); then:

    python examples/pytorch/fashion_cnn.py --epochs 5 --out results/fashion-torch/run-1.h5
    infoplane analyze results/fashion-torch --estimator kde:noise_variance=0.1,bound=upper
    infoplane plot results/fashion-torch

Needs torch and Debian's dataset-fashion-mnist (or --folder with the four IDX files).
"""
import argparse
import gzip
import os

import numpy as np
import torch

import infoplane.torch


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-samples", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="results/fashion-torch/run-1.h5")
    args = parser.parse_args()

    def load(kind):
        x = idx(os.path.join(args.folder, f"{kind}-images-idx3-ubyte.gz")).astype(np.float32) / 255
        y = idx(os.path.join(args.folder, f"{kind}-labels-idx1-ubyte.gz")).astype(np.int64)
        return torch.from_numpy(x[:, None]), torch.from_numpy(y)   # NCHW, as PyTorch wants it
    xtrain, ytrain = load("train")
    xtrain, ytrain = xtrain[: args.train_samples], ytrain[: args.train_samples]
    xtest, ytest = load("t10k")

    torch.manual_seed(args.seed)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    # 500 training and 500 test images, recorded at every epoch.
    rng = np.random.default_rng(args.seed)
    pick_train = rng.choice(len(ytrain), 500, replace=False)
    pick_test = rng.choice(len(ytest), 500, replace=False)
    x = torch.cat([xtrain[pick_train], xtest[pick_test]])
    y = torch.cat([ytrain[pick_train], ytest[pick_test]])
    split = np.r_[np.zeros(500, np.uint8), np.ones(500, np.uint8)]
    recorded = [name for name, m in model.named_modules() if isinstance(m, (torch.nn.ReLU, torch.nn.MaxPool2d))] + ["9"]
    generator = torch.Generator().manual_seed(args.seed)
    with infoplane.torch.TorchRecorder(args.out, model, x, y, split=split, epochs=args.epochs, modules=recorded,
                                       seed=args.seed, storage="float16", dataset_name="fashion-mnist",
                                       experiment="fashion-torch", onnx=True,
                                       training={"optimizer": "adam", "learning_rate": 1e-3, "batch_size": 128}) as recorder:
        for epoch in range(args.epochs):
            for batch in torch.randperm(len(ytrain), generator=generator).split(128):
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(xtrain[batch]), ytrain[batch]).backward()
                recorder.step()
                optimizer.step()
            recorder.epoch_end()
            print(f"epoch {epoch + 1}: recorded")
    print(f"recorded {args.out} (and its model, {args.out[:-3]}.onnx)")


if __name__ == "__main__":
    main()
