"""The 2017 information-plane network (Shwartz-Ziv & Tishby, Fig. 1) trained in PyTorch on
var_u and recorded with infoplane's Python package; analyse it with the lab:

    python examples/pytorch/ibnet.py --epochs 3000 --out results/ibnet-torch/run-1.h5
    infoplane analyze results/ibnet-torch
    infoplane plot results/ibnet-torch

Needs torch, scipy (to read the MATLAB file) and `pip install ./python`.
"""
import argparse

import numpy as np
import scipy.io
import torch

import infoplane
import infoplane.torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/var_u.mat")
    parser.add_argument("--epochs", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="results/ibnet-torch/run-1.h5")
    parser.add_argument("--storage", default="float16", choices=["float16", "float32"])
    args = parser.parse_args()

    data = scipy.io.loadmat(args.data)
    x = torch.tensor(data["F"], dtype=torch.float32)              # 4096 × 12 binary patterns
    y = torch.tensor(np.asarray(data["y"]).ravel(), dtype=torch.long)
    generator = torch.Generator().manual_seed(args.seed)
    order = torch.randperm(len(y), generator=generator)
    split = np.ones(len(y), np.uint8)
    split[order[: int(0.8 * len(y))].numpy()] = 0                 # 80% training, as the lab's quick
    train = torch.as_tensor(split == 0)

    torch.manual_seed(args.seed)
    widths = [12, 10, 7, 5, 4, 3]
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(3, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-4, eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()

    # Record the tanh layers and the logits, as the lab records its 12-10-7-5-4-3-2 network.
    recorded = [name for name, m in model.named_modules() if isinstance(m, torch.nn.Tanh)] + [str(len(model) - 1)]
    recorder = infoplane.torch.TorchRecorder(
        args.out, model, x, y, split=split, epochs=args.epochs, modules=recorded, seed=args.seed,
        schedule={"log_spaced": 80}, storage=args.storage, dataset_name="var_u", experiment="ibnet-torch",
        training={"optimizer": "adam", "learning_rate": 4e-4, "batch_size": 256},
        analysis="estimators:\n  - {kind: binning, bins: 30, convention: intervals, range: [-1, 1]}")
    xt, yt = x[train], y[train]
    with recorder:
        for epoch in range(args.epochs):
            for batch in torch.randperm(len(yt), generator=generator).split(256):
                optimizer.zero_grad()
                loss_fn(model(xt[batch]), yt[batch]).backward()
                recorder.step()
                optimizer.step()
            recorder.epoch_end()
    print(f"recorded {args.out}")


if __name__ == "__main__":
    main()
