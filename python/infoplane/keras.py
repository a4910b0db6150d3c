"""Record a Keras 3 training: ``KerasRecorder``, a ``keras.callbacks.Callback``::

    rec = infoplane.keras.KerasRecorder("results/mine/run-1.h5", x, y, split=split)
    model.fit(x_train, y_train, epochs=E, callbacks=[rec])      # the run file is closed at the end

Every layer of the model (or those named in ``layers=``, or chosen by a function
``(layer) -> bool``) is a layer of the run file, in the model's order, with its inputs from
the model's graph (``Add`` and ``Concatenate`` are the lab's ``add`` and ``concat``). The
model's output is always the last layer; a final softmax is stored as log-probabilities,
which are logits of the same softmax (the lab's analyses take the last layer as logits).
Weight-gradient statistics need the torch backend (``KERAS_BACKEND=torch``), where each
minibatch's gradients are still on the weights when the callback runs; with the other
backends the run has none (a warning says so).
"""
import os
import warnings

import keras
import numpy as np

from ._metrics import metrics as _metrics
from ._recorder import Layer, Recorder

_KINDS = {"Dense": "dense", "Conv2D": "conv2d", "MaxPooling2D": "maxpool2d", "AveragePooling2D": "avgpool2d",
          "Flatten": "flatten", "Activation": "activation", "ReLU": "activation", "Add": "add", "Concatenate": "concat"}


def _activation(layer):
    if type(layer).__name__ == "ReLU":
        return "relu6" if getattr(layer, "max_value", None) == 6 else "relu"
    function = getattr(layer, "activation", None)
    return keras.activations.serialize(function) if function is not None else "linear"


class KerasRecorder(keras.callbacks.Callback):
    """Records a Keras 3 model during ``fit`` (see the module docstring). ``inputs`` and
    ``labels`` are the samples to record (integer classes, or one-hot rows); ``epochs``
    defaults to ``fit``'s; ``samples`` records a seeded subset; the other parameters are
    ``infoplane.Recorder``'s."""

    def __init__(self, path, inputs, labels, *, epochs=None, layers=None, split=None, samples=None, seed=0,
                 batch_size=1024, save_model=False, **options):
        super().__init__()
        self.save_model = save_model
        x, y = np.asarray(inputs, dtype=np.float32), np.asarray(labels)
        if y.ndim == 2:
            y = y.argmax(axis=1)
        index = np.arange(len(y))
        if samples is not None and samples < len(y):
            index = np.sort(np.random.default_rng(seed).choice(len(y), size=int(samples), replace=False))
        self.x, self.y = x[index], y[index].astype(np.int64)
        self.split = np.zeros(len(self.y), np.uint8) if split is None else np.asarray(split, dtype=np.uint8)[index]
        self.path, self.epochs, self.selection, self.seed, self.index = str(path), epochs, layers, seed, index
        self.batch_size, self.options = int(batch_size), options
        self.recorder = None

    # --- the callback

    def on_train_begin(self, logs=None):
        epochs = int(self.epochs if self.epochs is not None else self.params.get("epochs", 0))
        layers, self.outputs, self.kernels = self._probe()
        self.probe = keras.Model(self.model.inputs, self.outputs)
        options = dict(self.options)
        options.setdefault("class_count", int(self.y.max()) + 1)
        self.recorder = Recorder(self.path, inputs=self.x, labels=self.y, split=self.split, epochs=epochs, layers=layers,
                                 seed=self.seed, index=self.index, framework=f"keras {keras.__version__} ({keras.backend.backend()})",
                                 **options)
        self.epoch = 0
        self._record(0)

    def on_train_batch_end(self, batch, logs=None):
        if not self.kernels or not self.recorder.wants_gradients(self.epoch):
            return
        gradients = {}
        for name, kernel in self.kernels.items():
            grad = kernel.value.grad
            if grad is None:
                raise RuntimeError(f"layer {name}: no gradient on its kernel after the batch")
            gradients[name] = grad.detach().float().cpu().numpy()
        self.recorder.add_gradients(gradients, epoch=self.epoch)

    def on_epoch_end(self, epoch, logs=None):
        self.epoch = epoch + 1
        self._record(self.epoch)

    def on_train_end(self, logs=None):
        """Closes the run file; with ``save_model=True`` the trained model is then saved
        beside it in Keras's own format (``run-1.h5`` → ``run-1.keras``), which ``infoplane
        record run-1.keras --data run-1.h5 --inputs dataset/x --labels dataset/y`` makes a run
        the lab can explain."""
        self.close()
        if self.save_model:
            target = (self.path[:-3] if self.path.endswith(".h5") else self.path) + ".keras"
            partial = target[:-6] + ".partial.keras"  # Keras wants the suffix
            try:
                self.model.save(partial)
                os.replace(partial, target)
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)

    def close(self):
        if self.recorder is not None:
            self.recorder.close()

    # --- evaluation

    def _record(self, completed):
        values = self.probe.predict(self.x, batch_size=self.batch_size, verbose=0)
        values = values if isinstance(values, (list, tuple)) else [values]
        activations = {layer.name: np.asarray(v, dtype=np.float32) for layer, v in zip(self.recorder.layers, values)}
        last = self.recorder.layers[-1]
        if self.log_softmax:
            activations[last.name] = np.log(np.maximum(activations[last.name], np.finfo(np.float32).tiny))
        metrics = _metrics(activations[last.name], self.y, self.split)
        weights = {name: np.asarray(kernel.numpy()) for name, kernel in self.kernels.items()} if self.recorder.wants_weights(completed) else None
        logged = self.recorder.wants_activations(completed)
        self.recorder.record(completed, metrics=metrics, activations=activations if logged else None, weights=weights)

    def _probe(self):
        chosen = []
        for layer in self.model.layers:
            if type(layer).__name__ == "InputLayer":
                continue
            if self.selection is None:
                picked = True
            elif callable(self.selection):
                picked = bool(self.selection(layer))
            else:
                picked = layer.name in self.selection
            if picked:
                chosen.append(layer)
        if isinstance(self.selection, (list, tuple)):
            missing = set(self.selection) - {layer.name for layer in self.model.layers}
            if missing:
                raise ValueError(f"layers {sorted(missing)} are not in the model")
        final = self.model.layers[-1]
        if final not in chosen:
            chosen.append(final)
        names = {layer.name for layer in chosen}
        origins = {}

        def sources(layer):
            """The chosen layers (or the model's input) whose outputs reach ``layer``'s inputs."""
            found = []
            for node in layer._inbound_nodes[:1]:
                for parent in node.parent_nodes:
                    op = parent.operation
                    if type(op).__name__ == "InputLayer":
                        items = ["input"]
                    elif op.name in names:
                        items = [op.name]
                    else:
                        items = origins.setdefault(op.name, sources(op))
                    found += [s for s in items if s not in found]
            return found

        torch_backend = keras.backend.backend() == "torch"
        kernels, layers = {}, []
        for i, layer in enumerate(chosen):
            kind = _KINDS.get(type(layer).__name__, "module")
            inputs = sources(layer) or (["input"] if i == 0 else [layers[-1].name])
            kernel = getattr(layer, "kernel", None) if kind in ("dense", "conv2d") else None
            if kernel is not None and torch_backend:
                kernels[layer.name] = kernel
            layers.append(Layer(layer.name, [int(d) for d in layer.output.shape[1:]], kind=kind, activation=_activation(layer),
                                inputs=inputs, weights=tuple(kernel.shape) if kernel is not None and torch_backend else None,
                                attributes={"module": layer.name, "module_class": type(layer).__name__}))
        self.log_softmax = layers[-1].activation == "softmax"
        if self.log_softmax:
            layers[-1].attributes["stored_as"] = "log_softmax"
        if not torch_backend and any(layer.kind in ("dense", "conv2d") for layer in layers):
            warnings.warn(f"Keras backend {keras.backend.backend()}: no weight-gradient statistics (they need KERAS_BACKEND=torch)")
        return layers, [layer.output for layer in chosen], kernels
