"""Writes a run file with infoplane's Python package from the lab's own run of the same
network (PythonRecorderTests):

- ``copy``: the lab run's activations and metrics, row for row (a lossless round trip:
  the lab's analysis of both files must be the same to the bit);
- ``numpy``: the network trained again in numpy from the lab run's initial weights, with
  the same full-batch gradient descent (the analyses must agree within bounds);
- ``torch``: the same in PyTorch through ``infoplane.torch.TorchRecorder``.

``--kill-after K`` kills the process (SIGKILL) after K epochs, leaving an incomplete file.
Prints a JSON line with what it measured.

usage: record_parity.py MODE LAB_RUN OUT --learning-rate LR [--kill-after K]
"""
import argparse
import json
import os
import signal

import h5py
import numpy as np

import infoplane


def committed(values):
    values = np.asarray(values)
    bad = np.flatnonzero(values < 0)
    return values[: bad[0] if len(bad) else len(values)]


def lab_run(path):
    with h5py.File(path, "r") as f:
        names = sorted(f["layers"], key=lambda n: int(f["layers"][n].attrs["index"]))
        run = {
            "x": f["dataset/x"][...], "y": f["dataset/y"][...], "split": f["dataset/split"][...],
            "epochs": int(f.attrs["total_epochs"]), "seed": int(f.attrs["seed"]),
            "schedule": list(f.attrs["scheduled_epochs"]), "timing": f.attrs["log_timing"],
            "layers": [f["layers"][n].attrs["name"] for n in names],
            "weights": [f["layers"][n]["weights"][0] for n in names], "bias": [f["layers"][n]["bias"][0] for n in names],
            "activations": [f["layers"][n]["activations"][...] for n in names],
            "metrics": {m: f["metrics"][m][...] for m in ("train_loss", "train_accuracy", "test_loss", "test_accuracy")},
        }
    return run


def recorder(run, out, framework="numpy"):
    layers = [infoplane.Layer(name, [w.shape[1]], kind="dense", activation="tanh" if i < len(run["layers"]) - 1 else "linear",
                              weights=w.shape) for i, (name, w) in enumerate(zip(run["layers"], run["weights"]))]
    return infoplane.Recorder(out, inputs=run["x"], labels=run["y"], split=run["split"], epochs=run["epochs"], layers=layers,
                              schedule={"explicit": run["schedule"]}, timing=run["timing"], storage="float32", seed=run["seed"],
                              dataset_name="var_u", experiment=os.path.basename(os.path.dirname(out)), framework=framework,
                              analysis="estimators:\n  - {kind: binning, bins: 30, convention: intervals, range: [-1, 1]}")


def kill_if(args, completed):
    if args.kill_after is not None and completed == args.kill_after:
        os.kill(os.getpid(), signal.SIGKILL)


def copy(run, args):
    rec = recorder(run, args.out)
    for completed in range(run["epochs"] + 1):
        k = completed if run["timing"] == "before" else completed - 1
        activations = None
        if rec.wants_activations(completed):
            row = run["schedule"].index(k)
            activations = {name: a[row] for name, a in zip(run["layers"], run["activations"])}
        rec.record(completed, metrics={m: v[completed] for m, v in run["metrics"].items()}, activations=activations)
        kill_if(args, completed)
    rec.close()
    return {}


def forward(params, x):
    outputs = []
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        if i < len(params) - 1:
            x = np.tanh(x)
        outputs.append(x)
    return outputs


def metrics(logits, y, split):
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(y)), y]
    correct = logits.argmax(axis=1) == y
    return {f"{p}_{m}": float((loss if m == "loss" else correct)[split == c].mean())
            for c, p in ((0, "train"), (1, "test")) for m in ("loss", "accuracy")}


def train_numpy(run, args):
    params = [(w.astype(np.float32).copy(), b.astype(np.float32).copy()) for w, b in zip(run["weights"], run["bias"])]
    x, y, split = run["x"].astype(np.float32), run["y"].astype(np.int64), run["split"]
    train = split == 0
    xt, yt = x[train], y[train]
    onehot = np.eye(int(y.max()) + 1, dtype=np.float32)[yt]
    rec = recorder(run, args.out)
    worst = 0.0

    def state(completed):
        nonlocal worst
        outs = forward(params, x)
        activations = None
        if rec.wants_activations(completed):
            activations = {name: o for name, o in zip(run["layers"], outs)}
            k = completed if run["timing"] == "before" else completed - 1
            row = run["schedule"].index(k)
            worst = max(worst, max(float(np.abs(o - a[row]).max()) for o, a in zip(outs, run["activations"])))
        rec.record(completed, metrics=metrics(outs[-1], y, split), activations=activations,
                   weights={name: w for name, (w, _) in zip(run["layers"], params)})

    state(0)
    for epoch in range(run["epochs"]):
        outs = forward(params, xt)
        z = outs[-1] - outs[-1].max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        delta = (p - onehot) / np.float32(len(yt))
        grads = []
        for i in range(len(params) - 1, -1, -1):
            below = outs[i - 1] if i > 0 else xt
            grads.append((below.T @ delta, delta.sum(axis=0)))
            if i > 0:
                delta = (delta @ params[i][0].T) * (1 - outs[i - 1] ** 2)
        grads.reverse()
        rec.add_gradients({name: g for name, (g, _) in zip(run["layers"], grads)}, epoch=epoch)
        params = [(w - np.float32(args.learning_rate) * gw, b - np.float32(args.learning_rate) * gb)
                  for (w, b), (gw, gb) in zip(params, grads)]
        state(epoch + 1)
        kill_if(args, epoch + 1)
    rec.close()
    return {"max_activation_difference": worst}


def train_torch(run, args):
    import torch
    import infoplane.torch
    torch.set_num_threads(1)
    layers = []
    for i, (w, b) in enumerate(zip(run["weights"], run["bias"])):
        linear = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear] + ([torch.nn.Tanh()] if i < len(run["weights"]) - 1 else [])
    model = torch.nn.Sequential(*layers)
    x, y = torch.from_numpy(run["x"].astype(np.float32)), torch.from_numpy(run["y"].astype(np.int64))
    train = torch.from_numpy(run["split"] == 0)
    recorded = [name for name, m in model.named_modules() if isinstance(m, torch.nn.Tanh)] + [str(len(model) - 1)]
    optimizer = torch.optim.SGD(model.parameters(), lr=args.learning_rate)
    rec = infoplane.torch.TorchRecorder(args.out, model, x, y, split=run["split"], epochs=run["epochs"], modules=recorded,
                                        seed=run["seed"], schedule={"explicit": run["schedule"]}, timing=run["timing"],
                                        dataset_name="var_u", experiment=os.path.basename(os.path.dirname(args.out)), onnx=True,
                                        analysis="estimators:\n  - {kind: binning, bins: 30, convention: intervals, range: [-1, 1]}")
    for epoch in range(run["epochs"]):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[train]), y[train]).backward()
        rec.step()
        optimizer.step()
        rec.epoch_end()
        kill_if(args, epoch + 1)
    rec.close()
    with h5py.File(args.out, "r") as f:
        names = sorted(f["layers"], key=lambda n: int(f["layers"][n].attrs["index"]))
        mine = [f["layers"][n]["activations"][...] for n in names]
        layer_names = [str(f["layers"][n].attrs["name"]) for n in names]
    return {"max_activation_difference": max(float(np.abs(a - b).max()) for a, b in zip(mine, run["activations"])),
            "layers": layer_names}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["copy", "numpy", "torch"])
    parser.add_argument("lab_run")
    parser.add_argument("out")
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--kill-after", type=int)
    args = parser.parse_args()
    run = lab_run(args.lab_run)
    result = {"copy": copy, "numpy": train_numpy, "torch": train_torch}[args.mode](run, args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
