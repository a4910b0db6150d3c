"""Record a PyTorch training: ``TorchRecorder`` (forward hooks on the model's modules).

Three lines in a training loop::

    rec = infoplane.torch.TorchRecorder("results/mine/run-1.h5", model, x, y, epochs=E, split=split)
    for epoch in range(E):
        for xb, yb in loader:
            opt.zero_grad(); loss_fn(model(xb), yb).backward()
            rec.step()                       # this minibatch's weight gradients (pre-update)
            opt.step()
        rec.epoch_end()                      # metrics; activations at logged epochs
    rec.close()

Each recorded module is a layer of the run file, in the order the modules first run in a
forward pass; a layer's ``inputs`` are the recorded modules whose output tensors it
consumes (the previous layer when its input was computed outside any recorded module,
e.g. by ``x + y`` in ``forward``). The model's output is always the last layer (named
``output`` when no recorded module returns it), as the lab's analyses take the last
layer for the logits. Images and feature maps are stored NHWC, as the lab stores them.
"""
import os

import numpy as np
import torch

from ._metrics import metrics as _metrics
from ._recorder import Layer, Recorder

_ACTIVATIONS = {"Tanh": "tanh", "ReLU": "relu", "Sigmoid": "sigmoid", "Softplus": "softplus", "ReLU6": "relu6",
                "GELU": "gelu", "ELU": "elu", "LeakyReLU": "leaky_relu", "SELU": "selu", "SiLU": "silu",
                "Hardswish": "hardswish", "Hardsigmoid": "hardsigmoid", "Softmax": "softmax", "LogSoftmax": "log_softmax",
                "Identity": "linear", "Mish": "mish", "Hardtanh": "hardtanh"}
_KINDS = {"Linear": "dense", "Conv2d": "conv2d", "MaxPool2d": "maxpool2d", "AvgPool2d": "avgpool2d", "Flatten": "flatten"}


def _kind(module):
    name = type(module).__name__
    if name in _KINDS:
        return _KINDS[name], "linear"
    if name in _ACTIVATIONS:
        return "activation", _ACTIVATIONS[name]
    return "module", "linear"


class TorchRecorder:
    """Records a PyTorch model's modules during the user's own training (see the module
    docstring). ``modules``: None (every leaf module), a list of module names
    (``model.named_modules()``), or a function ``(name, module) -> bool``. ``samples``:
    record a seeded subset of that many inputs (default: all). The other parameters are
    ``infoplane.Recorder``'s. Metrics are computed on the recorded samples of each split
    from the model's output (softmax cross-entropy in nats, accuracy) unless
    ``epoch_end`` is given them."""

    def __init__(self, path, model, inputs, labels, *, epochs, modules=None, split=None, samples=None, seed=0,
                 batch_size=1024, onnx=False, **options):
        self.model = model
        self.onnx = onnx
        self.path = str(path)
        x = inputs.detach().cpu() if torch.is_tensor(inputs) else torch.as_tensor(np.asarray(inputs))
        y = labels.detach().cpu().numpy() if torch.is_tensor(labels) else np.asarray(labels)
        split = None if split is None else (split.cpu().numpy() if torch.is_tensor(split) else np.asarray(split))
        index = np.arange(len(y))
        if samples is not None and samples < len(y):
            index = np.sort(np.random.default_rng(seed).choice(len(y), size=int(samples), replace=False))
            x, y = x[torch.as_tensor(index)], y[index]
            split = None if split is None else split[index]
        self.x, self.y = x.float() if x.is_floating_point() else x, y
        self.split = np.zeros(len(y), np.uint8) if split is None else split.astype(np.uint8)
        self.batch_size = int(batch_size)
        self._affine = {}
        self.names, self.modules, layers = self._probe(modules)
        self._weights = {}
        for name, (module_name, module) in zip(self.names, zip(self._module_names, self.modules)):
            owner = self._affine.get(module_name, module)
            if _kind(owner)[0] in ("dense", "conv2d") and isinstance(getattr(owner, "weight", None), torch.nn.Parameter):
                self._weights[name] = owner.weight
        for layer in layers:
            if layer.name in self._weights:
                layer.weight_shape = tuple(self._weights[layer.name].shape)
        stored_x = self.x.permute(0, 2, 3, 1) if self.x.dim() == 4 else self.x
        options.setdefault("training", {})
        options.setdefault("class_count", int(y.max()) + 1 if len(y) else 1)
        self.recorder = Recorder(path, inputs=stored_x.numpy(), labels=y, split=self.split, epochs=epochs, layers=layers,
                                 seed=seed, index=index, framework=f"torch {torch.__version__}", **options)
        self.epoch = 0
        self._record(0)

    # --- the loop's three calls

    def step(self):
        """After ``loss.backward()`` and before ``optimizer.step()``: this minibatch's
        weight gradients, for the gradient signal-to-noise statistics of logged epochs."""
        if not self._weights or not self.recorder.wants_gradients(self.epoch):
            return
        gradients = {}
        for name, weight in self._weights.items():
            if weight.grad is None:
                raise RuntimeError(f"step(): module {name} has no gradient; call it after loss.backward()")
            gradients[name] = weight.grad.detach().float().cpu().numpy()
        self.recorder.add_gradients(gradients, epoch=self.epoch)

    def epoch_end(self, **metrics):
        """After an epoch's updates: records the state (metrics; activations when logged)."""
        self.epoch += 1
        self._record(self.epoch, metrics)

    def close(self):
        """Closes the run file; with ``onnx=True`` the trained model is then exported beside
        it (``run-1.h5`` → ``run-1.onnx``, torch's exporter), so that the lab can explain it:
        ``infoplane explain run-1.onnx --data run-1.h5 --data-inputs dataset/x
        --data-labels dataset/y --layout nhwc``."""
        self.recorder.close()
        if self.onnx and not getattr(self, "_exported", False):
            self._exported = True
            self.export_onnx(self.path[:-3] + ".onnx" if self.path.endswith(".h5") else self.path + ".onnx")

    def export_onnx(self, target):
        """The model as it is now, as ONNX (written beside and renamed into place)."""
        device = next(iter(self.model.parameters()), torch.zeros(())).device
        training = self.model.training
        self.model.eval()
        partial = target + ".partial"
        try:
            torch.onnx.export(self.model, (self.x[:2].to(device),), partial, dynamo=False)
            os.replace(partial, target)
        finally:
            self.model.train(training)
            if os.path.exists(partial):
                os.unlink(partial)
        return target

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- evaluation

    def _forward(self, keep):
        """The model on the recorded samples in evaluation mode: its outputs, and with
        ``keep`` each hooked module's outputs ``{name: [n, ...]}`` (NHWC for maps)."""
        outputs, captured = [], {name: [] for name in self.names} if keep else {}
        handles = []
        if keep:
            for name, module in zip(self.names, self.modules):
                def hook(_m, _i, out, name=name):
                    captured[name].append(_nhwc(out.detach()).float().cpu().numpy())
                handles.append(module.register_forward_hook(hook))
        device = next(iter(self.model.parameters()), torch.zeros(())).device
        training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                for start in range(0, len(self.y), self.batch_size):
                    out = self.model(self.x[start:start + self.batch_size].to(device))
                    outputs.append(_nhwc(out.detach()).float().cpu().numpy())
        finally:
            self.model.train(training)
            for handle in handles:
                handle.remove()
        result = {name: np.concatenate(parts) for name, parts in captured.items()}
        return np.concatenate(outputs), result

    def _record(self, completed, given=None):
        logged = self.recorder.wants_activations(completed)
        output, activations = self._forward(keep=logged)
        if logged and "output" not in activations and self.layers_end_with_output:
            activations["output"] = output
        metrics = _metrics(output, self.y, self.split)
        metrics.update(given or {})
        weights = {name: w.detach().float().cpu().numpy() for name, w in self._weights.items()} if self.recorder.wants_weights(completed) else None
        self.recorder.record(completed, metrics=metrics, activations=activations if logged else None, weights=weights)

    def _probe(self, selection):
        """Which modules to record, in the order they first run, with their output shapes
        and the recorded modules their inputs come from (a forward pass on two samples).
        An activation module recorded right after a linear or convolution module that is
        not recorded is the lab's dense or conv2d layer (the affine map, then the
        activation): it takes that module's weights for its gradient statistics."""
        modules = dict(self.model.named_modules())
        del modules[""]
        chosen = set()
        for name, module in modules.items():
            if selection is None:
                picked = not any(True for _ in module.children())
            elif callable(selection):
                picked = bool(selection(name, module))
            else:
                picked = name in selection
            if picked:
                chosen.add(name)
        if isinstance(selection, (list, tuple)):
            missing = set(selection) - set(modules)
            if missing:
                raise ValueError(f"modules {sorted(missing)} are not in the model (names as model.named_modules() gives them)")
        watched = chosen | {name for name, m in modules.items() if not any(True for _ in m.children())}
        order, shapes, inputs, affine = [], {}, {}, {}
        origin, producer, kept = {}, {}, []   # tensor id -> recorded sources; -> producing module

        def make_hook(name):
            def hook(_m, args, out):
                if not torch.is_tensor(out):
                    if name in chosen and isinstance(selection, (list, tuple)):
                        raise ValueError(f"module {name} returns {type(out).__name__}, not a tensor: it cannot be a layer")
                    return
                tensors = [a for a in args if torch.is_tensor(a)]
                sources = []
                for a in tensors:
                    for s in origin.get(id(a), ["input"] if a is first else []):
                        if s not in sources:
                            sources.append(s)
                kept.append(out)
                if name in chosen and name not in shapes:
                    inputs[name] = sources
                    shapes[name] = list(_nhwc(out).shape[1:])
                    order.append(name)
                    made = producer.get(id(tensors[0])) if len(tensors) == 1 else None
                    if made is not None and made not in chosen and _kind(modules[made])[0] in ("dense", "conv2d"):
                        affine[name] = made
                    origin[id(out)] = [name]
                elif name in chosen:
                    raise ValueError(f"module {name} runs more than once in a forward pass; record the modules around it instead (modules=...)")
                else:
                    origin[id(out)] = sources
                producer[id(out)] = name
            return hook

        handles = [modules[name].register_forward_hook(make_hook(name)) for name in watched]
        training = self.model.training
        self.model.eval()
        device = next(iter(self.model.parameters()), torch.zeros(())).device
        first = self.x[:2].to(device)
        try:
            with torch.no_grad():
                output = self.model(first)
        finally:
            self.model.train(training)
            for handle in handles:
                handle.remove()
        if not torch.is_tensor(output):
            raise ValueError(f"the model returns {type(output).__name__}; the recorder needs a tensor of outputs (logits)")
        layers, renamed = [], {}
        for i, name in enumerate(order):
            renamed[name] = _layer_name(name, modules[name])
            kind, activation = _kind(modules[name])
            attributes = {"module": name, "module_class": type(modules[name]).__name__}
            if kind == "activation" and name in affine:
                kind = _kind(modules[affine[name]])[0]
                attributes["affine_module"] = affine[name]
                self._affine[name] = modules[affine[name]]
            sources = [renamed.get(s, s) for s in inputs[name]] or (["input"] if i == 0 else [layers[-1].name])
            layers.append(Layer(renamed[name], shapes[name], kind=kind, activation=activation, inputs=sources, attributes=attributes))
        self.layers_end_with_output = not order or producer.get(id(output)) != order[-1]
        if self.layers_end_with_output:
            if "output" in renamed.values():
                raise ValueError("a recorded module is named 'output' but does not return the model's output")
            sources = [renamed.get(s, s) for s in origin.get(id(output), [])] or ([layers[-1].name] if layers else ["input"])
            layers.append(Layer("output", list(_nhwc(output).shape[1:]), kind="module", activation="linear", inputs=sources,
                                attributes={"module": "", "module_class": type(self.model).__name__}))
        del kept
        self._module_names = order
        return [renamed[name] for name in order], [modules[name] for name in order], layers


def _layer_name(name, module):
    """A run-file layer name for a module: its name with '.' as '_', prefixed with its class
    where the name is only indices (``nn.Sequential``'s ``0``, ``1`` …)."""
    text = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    if all(part.isdigit() for part in name.split(".")):
        text = f"{type(module).__name__.lower()}_{text}"
    return text


def _nhwc(t):
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t
