"""``Recorder``: writes an infoplane run file (docs/run-file.md) from any training loop.

The framework adapters (``infoplane.torch``, ``infoplane.keras``) build on it; used
directly, it takes numpy arrays::

    rec = Recorder("results/mine/run-1.h5", inputs=x, labels=y, split=split, epochs=100,
                   layers=[Layer("hidden1", [10], weights=(12, 10)), Layer("output", [2], weights=(10, 2))])
    rec.record(0, activations={...}, metrics={...}, weights={...})   # the state before training
    for epoch in range(100):
        for batch in ...:
            ...; rec.add_gradients({"hidden1": g1, "output": g2})      # each minibatch, pre-update
        rec.record(epoch + 1, activations=..., metrics=..., weights=...)
    rec.close()
"""
import os
import platform

import numpy as np

from ._layout import FORMAT, FORMAT_VERSION, RunLayout, STORAGE, WriterLock, now
from ._schedule import schedule_epochs, schedule_text
from ._version import __version__

DEFAULT_ANALYSIS = "estimators:\n  - {kind: binning, bins: 30, range: auto}"
KINDS = ("dense", "conv2d", "maxpool2d", "avgpool2d", "flatten", "activation", "add", "concat", "module")


class Layer:
    """One recorded layer: its name, per-sample output shape, kind (the run file's
    ``kind``: ``dense``, ``conv2d``, …, or ``module`` for anything the lab has no layer
    for), activation, the layers it consumes (default: the one before), and the shape of
    its weight (for its gradient statistics; None when it has none)."""

    def __init__(self, name, output_shape, *, kind="module", activation="linear", inputs=None, weights=None, attributes=None):
        self.name, self.kind, self.activation = str(name), kind, str(activation)
        self.output_shape = [int(d) for d in np.atleast_1d(output_shape)]
        self.inputs = list(inputs) if inputs is not None else None
        self.weight_shape = tuple(int(d) for d in weights) if weights is not None else None
        self.attributes = dict(attributes or {})
        if kind not in KINDS:
            raise ValueError(f"layer {name}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if not self.name or not all(c.isalnum() or c in "._-" for c in self.name) or self.name == "input":
            raise ValueError(f"layer name {name!r}: use letters, digits, '.', '_' and '-' (it names an HDF5 group), and not 'input'")
        if not self.output_shape or min(self.output_shape) < 1:
            raise ValueError(f"layer {name}: output shape {self.output_shape} is not a shape")


class Recorder:
    """Writes one run file while a training loop runs.

    Parameters
    ----------
    path : the run file to create (``results/<experiment>/run-<seed>.h5`` by the lab's
        convention). An existing file is refused unless ``overwrite=True``.
    inputs, labels : the recorded samples ``[n, features...]`` and their classes ``[n]``
        (images NHWC, as the lab stores them).
    split : per sample 0 (training), 1 (test) or 2 (neither); default: all training.
    epochs : the epochs the training runs (E); metrics rows 0…E, state after k epochs.
    layers : the recorded layers (``Layer``), in the order they compute.
    schedule : which epochs get activations: ``"every_epoch"`` (default), ``"ibsgd"``,
        ``{"every": n}``, ``{"explicit": [...]}``, ``{"log_spaced": count}``: the
        epochs the lab logs for the same setting.
    timing : ``"before"`` (logged epoch k = state after k epochs; the 2017 code) or
        ``"after"`` (after k + 1; ibsgd).
    storage : ``"float32"`` or ``"float16"``.
    index : each sample's row in the source data (default 0…n−1).
    training : what to record of the training in the stored config (a dict of simple
        values: framework, optimizer, learning rate, batch size…).
    analysis : the ``analysis`` section of the stored config in YAML (e.g.
        ``"estimators: [{binning: {bins: 30}}]"``), which ``infoplane analyze`` uses by
        default; None: 30 bins over each layer's range during training
        (``{kind: binning, bins: 30, range: auto}``).
    """

    def __init__(self, path, *, inputs, labels, epochs, layers, split=None, schedule="every_epoch", timing="before",
                 storage="float32", experiment=None, seed=0, dataset_name="", class_count=None, index=None,
                 training=None, analysis=None, description="", framework="numpy", overwrite=False):
        path = os.fspath(path)
        x = np.asarray(inputs)
        y = np.asarray(labels)
        if y.ndim != 1 or len(x) != len(y) or len(y) == 0:
            raise ValueError(f"inputs {x.shape} and labels {y.shape}: need n ≥ 1 samples and one label each")
        if not np.issubdtype(y.dtype, np.integer):
            if not np.all(np.isfinite(y)) or not np.array_equal(y, np.round(y)):
                raise ValueError("labels must be integer classes")
        y = y.astype(np.int64)
        classes = int(class_count) if class_count is not None else int(y.max()) + 1
        if y.min() < 0 or y.max() >= classes:
            raise ValueError(f"labels must lie in 0…{classes - 1} (class_count {classes})")
        if not np.all(np.isfinite(x)):
            raise ValueError("inputs hold NaN or infinite values")
        split = np.zeros(len(y), np.uint8) if split is None else np.asarray(split)
        if split.shape != y.shape or not np.isin(split, (0, 1, 2)).all():
            raise ValueError("split: one of 0 (training), 1 (test), 2 (neither) per sample")
        if timing not in ("before", "after"):
            raise ValueError(f"timing {timing!r}: 'before' or 'after'")
        if storage not in STORAGE:
            raise ValueError(f"storage {storage!r}: 'float32' or 'float16'")
        epochs = int(epochs)
        if epochs < 1:
            raise ValueError(f"epochs {epochs}: a recorded training has at least one epoch")
        layers = list(layers)
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names) or not layers:
            raise ValueError(f"layer names must be distinct and at least one: {names}")
        for i, layer in enumerate(layers):
            if layer.inputs is None:
                layer.inputs = ["input" if i == 0 else layers[i - 1].name]
            bad = [name for name in layer.inputs if name != "input" and name not in names[:i]]
            if bad or not layer.inputs:
                raise ValueError(f"layer {layer.name}: inputs {bad or layer.inputs} are not earlier layers")
        self.path, self.layers, self.epochs, self.timing, self.storage = path, layers, epochs, timing, storage
        self.logged = schedule_epochs(schedule, epochs)
        self.positions = {k: i for i, k in enumerate(self.logged)}
        self.samples = len(y)
        if os.path.lexists(path) and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self.lock = WriterLock(path)
        experiment = experiment or (os.path.basename(folder) if folder else "python")
        config = _config(experiment, description, seed, dataset_name, epochs, schedule, timing, storage, training, analysis, framework)
        attributes = {
            "format": FORMAT, "format_version": np.int32(FORMAT_VERSION),
            "tool": f"infoplane-python {__version__} ({framework}; Python {platform.python_version()})",
            "created": now(), "experiment": experiment, "config": config,
            "seed": np.array(int(seed) % 2**64, dtype=np.uint64).view(np.int64)[()],
            "total_epochs": np.int64(epochs), "log_timing": timing,
            "scheduled_epochs": np.asarray(self.logged, dtype="<i8"), "activation_storage": storage,
            "checkpoint_interval": np.int64(0), "blas_core": framework, "blas_threads": np.int32(0),
        }
        try:
            self.layout = RunLayout(path, attributes=attributes, layers=[_layer_dict(layer) for layer in layers],
                                    samples={"name": dataset_name, "class_count": classes, "x": x, "y": y,
                                             "index": np.arange(len(y)) if index is None else np.asarray(index), "split": split},
                                    logged=self.logged, total_epochs=epochs, storage=storage)
        except BaseException:
            self.lock.release()
            raise
        self._moments = {}  # layer name -> [count, mean, m2] of this epoch's weight gradients
        self._moments_epoch = None
        self.completed = -1  # no state recorded yet

    # --- what the loop asks

    def wants_activations(self, completed):
        """Whether the state after ``completed`` epochs is a logged one (then ``record``
        needs its activations)."""
        k = completed if self.timing == "before" else completed - 1
        return k >= 0 and k in self.positions

    def wants_weights(self, completed):
        """Whether ``record(completed, ...)`` writes the gradient statistics of the epoch that
        just ended, and so needs the weights for their norms."""
        return completed >= 1 and self._moments_epoch == completed - 1

    def wants_gradients(self, epoch):
        """Whether training epoch ``epoch`` (0-based) is logged: its minibatch gradients count."""
        return epoch in self.positions

    # --- writing

    def add_gradients(self, gradients, epoch=None):
        """One minibatch's weight gradients (``{layer: array}``, at its pre-update weights)
        for the gradient signal-to-noise statistics (Saxe et al. 2018, App. I): each
        minibatch counts once. ``epoch`` defaults to the one being trained."""
        epoch = self.completed if epoch is None else int(epoch)
        if not self.wants_gradients(epoch):
            return
        if self._moments_epoch not in (None, epoch):
            raise RuntimeError(f"gradients of epoch {epoch} arrived before epoch {self._moments_epoch} was recorded")
        self._moments_epoch = epoch
        for layer in self.layers:
            if layer.weight_shape is None:
                continue
            if layer.name not in gradients:
                raise KeyError(f"add_gradients: no gradient for layer {layer.name}")
            g = np.asarray(gradients[layer.name], dtype=np.float32).astype(np.float64).ravel()
            if g.size != int(np.prod(layer.weight_shape)):
                raise ValueError(f"layer {layer.name}: a gradient of {g.size} values for weights of shape {layer.weight_shape}")
            if layer.name not in self._moments:
                self._moments[layer.name] = (0, np.zeros_like(g), np.zeros_like(g))
            count, mean, m2 = self._moments[layer.name]
            # Welford's update, as the lab's GradientMoments (in float64).
            count += 1
            delta = g - mean
            mean = mean + delta / count
            m2 = m2 + delta * (g - mean)
            self._moments[layer.name] = (count, mean, m2)

    def record(self, completed, *, metrics, activations=None, weights=None):
        """The state after ``completed`` epochs: its metrics (``train_loss``,
        ``train_accuracy``, ``test_loss``, ``test_accuracy``; NaN for what you do not
        have), the activations ``{layer: [n, ...]}`` when ``wants_activations(completed)``,
        and the weights ``{layer: array}`` for the weight norms of the gradient statistics
        of the epoch that just ended. States come in order, 0, 1, …, epochs."""
        completed = int(completed)
        if completed != self.completed + 1 or completed > self.epochs:
            raise ValueError(f"state after {completed} epochs: expected {self.completed + 1} (states come in order, up to {self.epochs})")
        unknown = set(metrics) - {"train_loss", "train_accuracy", "test_loss", "test_accuracy"}
        if unknown:
            raise KeyError(f"unknown metrics {sorted(unknown)}")
        if self.wants_activations(completed):
            if activations is None:
                raise ValueError(f"the state after {completed} epochs is logged: record needs its activations")
            k = completed if self.timing == "before" else completed - 1
            position = self.positions[k]
            for index, layer in enumerate(self.layers):
                values = np.asarray(activations[layer.name])
                expected = (self.samples, *layer.output_shape)
                if values.shape != expected:
                    raise ValueError(f"layer {layer.name}: activations of shape {values.shape}, expected {expected}")
                self.layout.write(f"layers/{index}_{layer.name}/activations", position, values.astype(STORAGE[self.storage]))
            self.layout.write("epochs", position, np.int64(k))
        finished = completed - 1
        if finished >= 0 and self._moments_epoch == finished:
            self._write_gradients(finished, weights or {})
        for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
            self.layout.write(f"metrics/{name}", completed, np.float64(metrics.get(name, np.nan)))
        self.layout.write("metrics/epoch", completed, np.int64(completed))
        self.completed = completed

    def _write_gradients(self, epoch, weights):
        position = self.positions[epoch]
        for index, layer in enumerate(self.layers):
            if layer.weight_shape is None or layer.name not in self._moments:
                continue
            count, mean, m2 = self._moments[layer.name]
            mean_norm = float(np.sqrt(np.sum(mean * mean)))
            std_norm = float(np.sqrt(np.sum(m2) / count))
            weight = weights.get(layer.name)
            weight_norm = float(np.linalg.norm(np.asarray(weight, dtype=np.float64).ravel())) if weight is not None else np.nan
            values = (mean_norm, std_norm, mean_norm / std_norm if std_norm > 0 else np.nan, weight_norm)
            for name, value in zip(("mean_norm", "std_norm", "snr", "weight_norm"), values):
                self.layout.write(f"gradients/{index}_{layer.name}/{name}", position, np.float64(value))
        self.layout.write("gradients/epochs", position, np.int64(epoch))
        self._moments, self._moments_epoch = {}, None

    def close(self):
        """Flushes and closes the file and releases its lock. A run closed before its last
        epoch stays incomplete (``infoplane inspect`` says so; ``analyze
        --include-incomplete`` reads its committed epochs)."""
        if getattr(self, "layout", None) is not None:
            self.layout.close()
            self.layout = None
        if getattr(self, "lock", None) is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _layer_dict(layer):
    return {"name": layer.name, "kind": layer.kind, "activation": layer.activation, "inputs": layer.inputs,
            "output_shape": layer.output_shape, "weight_shape": layer.weight_shape, "attributes": layer.attributes}


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(value.item() if hasattr(value, "item") else value)
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _config(experiment, description, seed, dataset_name, epochs, schedule, timing, storage, training, analysis, framework):
    """The stored ``config``: what the lab's configuration can say about a training it did
    not run (docs/run-file.md, *Runs written from Python*), in its YAML spelling."""
    lines = [f"name: {_scalar(experiment)}"]
    if description:
        lines.append(f"description: {_scalar(description)}")
    lines += [f"seed: {int(seed)}", f"recorded_by: {_scalar('infoplane-python ' + __version__)}",
              "data:", f"  name: {_scalar(dataset_name)}", "training:", f"  framework: {_scalar(framework)}", f"  epochs: {epochs}"]
    for key, value in (training or {}).items():
        if key != "epochs":
            lines.append(f"  {key}: {_scalar(value)}")
    lines += ["recording:", f"  schedule: {schedule_text(schedule)}", f"  timing: {timing}", f"  storage: {storage}"]
    # Without one: 30 bins over each layer's range during training, which suits any activation.
    lines.append("analysis:")
    lines += ["  " + line for line in str(analysis or DEFAULT_ANALYSIS).strip().splitlines()]
    return "\n".join(lines) + "\n"
