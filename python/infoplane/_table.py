"""The experiment-level table over analysis files, as ``infoplane export table`` writes it."""
import os

import h5py
import numpy as np
import pandas as pd

from ._analysis import ANALYSIS_FORMAT_VERSIONS
from ._run import METRICS, check_format, committed, _text


def _files(paths):
    found = set()
    for path in paths:
        path = str(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path}: no such file or folder")
        if os.path.isfile(path):
            found.add(path)
            continue
        for folder, _, names in os.walk(path):
            if "analysis.h5" in names:
                found.add(os.path.join(folder, "analysis.h5"))
    return sorted(found)


def _sweep(text):
    pairs = []
    for line in text.split("\n"):
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key.strip(), value.strip()))
    return pairs


def _run_metrics(path, logged):
    """Each metric at the states the logged epochs record (NaN where unknown)."""
    values = {m: np.full(len(logged), np.nan) for m in METRICS}
    if not os.path.isfile(path):
        return values
    with h5py.File(path, "r") as f:
        rows = {int(e): i for i, e in enumerate(committed(f["metrics/epoch"][...]))}
        after = _text(f.attrs["log_timing"]) == "after"
        series = {m: f["metrics"][m][...] for m in METRICS}
    for e, epoch in enumerate(logged):
        row = rows.get(int(epoch) + (1 if after else 0))
        if row is not None:
            for m in METRICS:
                values[m][e] = series[m][row]
    return values


def table(paths):
    """One tidy ``pandas.DataFrame`` over the analysis files under ``paths`` (files, or folders
    searched for ``analysis.h5``): a row per experiment, sweep variant, run, logged epoch,
    layer and estimator, with the run's metrics at that epoch. The columns are those of
    ``infoplane export table`` (one per sweep key after ``variant``)."""
    files = _files(paths)
    analyses = []
    keys = []
    for path in files:
        with h5py.File(path, "r") as f:
            check_format(f, "infoplane-analysis", ANALYSIS_FORMAT_VERSIONS, path)
            sweep = _sweep(_text(f.attrs.get("sweep", "")))
            keys += [k for k, _ in sweep if k not in keys]
            runs = [_text(p) for p in f["run_path"][...]]
            folder = os.path.dirname(path)
            analysis = {"experiment": _text(f.attrs["experiment"]), "sweep": dict(sweep),
                        "variant": ", ".join(f"{k.split('.')[-1]}={v}" for k, v in sweep),
                        "seeds": f["seed"][...].astype(np.int64), "runs": runs, "epochs": f["epoch"][...],
                        "layers": [_text(n) for n in f["layer"][...]], "estimators": []}
            for label in f["estimators"]:
                g = f["estimators"][label]
                analysis["estimators"].append((label, _text(g.attrs.get("estimator", "")), g["ixt"][...], g["ity"][...]))
            analysis["metrics"] = [_run_metrics(os.path.join(folder, run), analysis["epochs"]) for run in runs]
            analyses.append(analysis)
    rows = []
    for a in analyses:
        for label, form, ixt, ity in a["estimators"]:
            for r, run in enumerate(a["runs"][: ixt.shape[0]]):
                for e, epoch in enumerate(a["epochs"]):
                    for l, layer in enumerate(a["layers"]):
                        row = {"experiment": a["experiment"], "variant": a["variant"]}
                        row.update({k: a["sweep"].get(k, "") for k in keys})
                        row.update({"seed": int(a["seeds"][r]), "run": os.path.basename(run), "epoch": int(epoch), "layer_index": l,
                                    "layer": layer, "estimator": label, "estimator_parameters": form,
                                    "ixt_bits": float(ixt[r, e, l]), "ity_bits": float(ity[r, e, l])})
                        row.update({m: a["metrics"][r][m][e] for m in METRICS})
                        rows.append(row)
    columns = ["experiment", "variant"] + keys + ["seed", "run", "epoch", "layer_index", "layer", "estimator",
                                                  "estimator_parameters", "ixt_bits", "ity_bits", *METRICS]
    return pd.DataFrame(rows, columns=columns)
