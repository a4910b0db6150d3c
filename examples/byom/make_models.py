#!/usr/bin/env python3
"""The example models of README's "Bring your own model" and the parity fixtures.

Trains, in PyTorch and in Keras (torch backend), the small networks a user would bring,
exports them as the user would (torch.onnx.export with its defaults; Keras model.save
to HDF5), and writes what the tests compare against: the frameworks' logits, zennit's
LRP maps (EpsilonPlusFlat, EpsilonGammaBox) and Captum's saliency on the same models.

Outputs (committed; not run by `make test`):
  examples/byom/var_u_mlp.onnx       PyTorch MLP 12-10-7-5-4-3-2 tanh trained on var_u
  examples/byom/var_u.npz            var_u's 4096 inputs (x, uint8) and labels (y)
  examples/byom/var_u_keras.h5       the same architecture trained in Keras
  examples/byom/fashion_cnn.onnx     PyTorch CNN trained one epoch on Fashion-MNIST
  examples/byom/fashion_test.npz     1000 Fashion-MNIST test images, NCHW float32 in [0, 1]
  Tests/EndToEndTests/Fixtures/byom/ cnn_legacy.onnx (TorchScript exporter: Flatten),
      keras_cnn.h5, keras_cnn_nhwc.onnx (a tf2onnx-style graph of keras_cnn: NHWC input,
      Transpose, MatMul + Add), parity.json (inputs in the lab's NHWC layout)

Run with torch, onnx, onnxscript, keras, zennit, captum, scipy and h5py:
    /opt/benchvenv/bin/python examples/byom/make_models.py
"""
import gzip, json, os, sys, types
import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import torch
from torch import nn
import onnx
from onnx import helper, numpy_helper, TensorProto
import scipy.io

try:
    import torchvision  # noqa: F401
except Exception:  # zennit imports two ResNet block classes from torchvision
    stub = types.ModuleType("torchvision")
    stub.models = types.ModuleType("torchvision.models")
    stub.models.resnet = types.ModuleType("torchvision.models.resnet")
    stub.models.resnet.Bottleneck = type("Bottleneck", (nn.Module,), {})
    stub.models.resnet.BasicBlock = type("BasicBlock", (nn.Module,), {})
    sys.modules.update({"torchvision": stub, "torchvision.models": stub.models, "torchvision.models.resnet": stub.models.resnet})
from zennit.attribution import Gradient
from zennit.composites import EpsilonPlusFlat, EpsilonGammaBox
from captum.attr import Saliency
import keras

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples", "byom")
FIXTURES = os.path.join(ROOT, "Tests", "EndToEndTests", "Fixtures", "byom")
torch.manual_seed(2017)
np.random.seed(2017)
keras.utils.set_random_seed(2017)


def var_u():
    mat = scipy.io.loadmat(os.path.join(ROOT, "data", "var_u.mat"))
    return mat["F"].astype(np.float32), mat["y"].reshape(-1).astype(np.int64)


def fashion(split):
    folder = "/usr/share/datasets/fashion-mnist"
    prefix = "train" if split == "train" else "t10k"
    def read(name, offset):
        path = os.path.join(folder, f"{prefix}-{name}")
        opener = gzip.open if os.path.exists(path + ".gz") else open
        with opener(path + (".gz" if os.path.exists(path + ".gz") else ""), "rb") as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)
    x = read("images-idx3-ubyte", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    return x, read("labels-idx1-ubyte", 8).astype(np.int64)


def train(model, x, y, epochs, batch, lr):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            rows = order[i:i + batch]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
            optimizer.step()
    return model


def nhwc(x):
    return x.transpose(0, 2, 3, 1) if x.ndim == 4 else x


def explanations(model, x, low, high):
    """Logits, targets (the predicted class), zennit LRP and Captum saliency, float64."""
    model = model.double().eval()
    x = torch.from_numpy(x).double()
    with torch.no_grad():
        logits = model(x)
    target = logits.argmax(1)
    one_hot = torch.eye(logits.shape[1], dtype=torch.float64)[target]
    maps = {}
    for name, composite in [("epsilon_plus_flat", EpsilonPlusFlat()),
                            ("epsilon_gamma_box", EpsilonGammaBox(low=low, high=high))]:
        with Gradient(model=model, composite=composite) as attributor:
            _, relevance = attributor(x.clone().requires_grad_(True), lambda out: one_hot * out)
        maps[name] = nhwc(relevance.detach().numpy()).reshape(len(x), -1).tolist()
    saliency = Saliency(model).attribute(x.clone().requires_grad_(True), target=target, abs=True)
    maps["saliency"] = nhwc(saliency.detach().numpy()).reshape(len(x), -1).tolist()
    return logits.tolist(), target.tolist(), maps


def case(file, x, logits, targets=None, maps=None, low=0.0, high=1.0):
    entry = {"file": file, "inputs": nhwc(x).reshape(len(x), -1).tolist(), "sample_shape": list(nhwc(x).shape[1:]),
             "logits": logits, "low": low, "high": high}
    if targets is not None:
        entry.update({"targets": targets, "maps": maps})
    return entry


def torch_export(model, example, path, **kwargs):
    torch.onnx.export(model.float().eval(), (torch.from_numpy(example),), path, **kwargs)


cases = []
# 1. The var_u MLP, trained in PyTorch (the 2017 network), exported with the defaults.
x, y = var_u()
np.savez(os.path.join(EXAMPLES, "var_u.npz"), x=x.astype(np.uint8), y=y)
order = np.random.permutation(len(x))
mlp = nn.Sequential(nn.Linear(12, 10), nn.Tanh(), nn.Linear(10, 7), nn.Tanh(), nn.Linear(7, 5), nn.Tanh(),
                    nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
train(mlp, x[order[:3277]], y[order[:3277]], epochs=300, batch=256, lr=0.004)
with torch.no_grad():
    print("var_u MLP test accuracy", (mlp(torch.from_numpy(x[order[3277:]])).argmax(1).numpy() == y[order[3277:]]).mean())
torch_export(nn.Sequential(*mlp, nn.Softmax(dim=1)), x[:2], os.path.join(EXAMPLES, "var_u_mlp.onnx"))
cases.append(case("examples/byom/var_u_mlp.onnx", x[:16], *explanations(mlp, x[:16], 0.0, 1.0)))

# 2. A Fashion-MNIST CNN, one epoch.
xf, yf = fashion("train")
cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(16 * 6 * 6, 64), nn.ReLU(), nn.Linear(64, 10))
train(cnn, xf, yf, epochs=1, batch=64, lr=0.002)
xt, yt = fashion("test")
with torch.no_grad():
    print("Fashion CNN test accuracy", (cnn(torch.from_numpy(xt)).argmax(1).numpy() == yt).mean())
np.savez_compressed(os.path.join(EXAMPLES, "fashion_test.npz"), x=xt[:1000], y=yt[:1000])
torch_export(cnn, xt[:2], os.path.join(EXAMPLES, "fashion_cnn.onnx"))
torch_export(cnn, xt[:2], os.path.join(FIXTURES, "cnn_legacy.onnx"), dynamo=False)
cases.append(case("examples/byom/fashion_cnn.onnx", xt[:6], *explanations(cnn, xt[:6], 0.0, 1.0)))
cases.append(case("Tests/EndToEndTests/Fixtures/byom/cnn_legacy.onnx", xt[:6], *explanations(cnn, xt[:6], 0.0, 1.0)))

# 3. Keras: the var_u MLP, and a small CNN (channels_last) with a tf2onnx-style ONNX twin.
kmlp = keras.Sequential([keras.Input((12,))] + [keras.layers.Dense(w, activation="tanh") for w in (10, 7, 5, 4, 3)]
                        + [keras.layers.Dense(2, activation="softmax")])
kmlp.compile(optimizer=keras.optimizers.Adam(0.004), loss="sparse_categorical_crossentropy")
kmlp.fit(x[order[:3277]], y[order[:3277]], epochs=150, batch_size=256, verbose=0)
print("Keras var_u MLP test accuracy", (kmlp.predict(x[order[3277:]], verbose=0).argmax(1) == y[order[3277:]]).mean())
kmlp.save(os.path.join(EXAMPLES, "var_u_keras.h5"))
logits_model = keras.Model(kmlp.inputs, kmlp.layers[-1].output)  # softmax applied after: recompute the logits
w, b = kmlp.layers[-1].get_weights()
hidden = keras.Model(kmlp.inputs, kmlp.layers[-2].output).predict(x[:16], verbose=0)
cases.append(case("examples/byom/var_u_keras.h5", x[:16], (hidden.astype(np.float64) @ w + b).tolist()))

kcnn = keras.Sequential([keras.Input((10, 10, 2)), keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                         keras.layers.MaxPooling2D(2), keras.layers.Conv2D(5, (3, 2), activation="tanh"),
                         keras.layers.AveragePooling2D(1), keras.layers.Flatten(), keras.layers.Dropout(0.3),
                         keras.layers.Dense(6), keras.layers.Activation("relu"), keras.layers.Dense(3)])
xk = np.random.rand(5, 10, 10, 2).astype(np.float32)
kcnn.save(os.path.join(FIXTURES, "keras_cnn.h5"))
cases.append(case("Tests/EndToEndTests/Fixtures/byom/keras_cnn.h5", xk.transpose(0, 3, 1, 2),
                  kcnn.predict(xk, verbose=0).astype(np.float64).tolist()))

# The same network as tf2onnx writes Keras models: NHWC input, Transposes, MatMul + Add.
(k1, b1), (k2, b2), (k3, b3), (k4, b4) = [l.get_weights() for l in kcnn.layers if l.get_weights()]
init = lambda name, a: numpy_helper.from_array(np.ascontiguousarray(a, dtype=a.dtype), name)
nodes = [helper.make_node("Transpose", ["x"], ["t0"], perm=[0, 3, 1, 2]),
         helper.make_node("Conv", ["t0", "k1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c1"], ["r1"]),
         helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
         helper.make_node("Conv", ["p1", "k2", "b2"], ["c2"], kernel_shape=[3, 2]),
         helper.make_node("Tanh", ["c2"], ["h2"]),
         helper.make_node("AveragePool", ["h2"], ["p2"], kernel_shape=[1, 1], strides=[1, 1]),
         helper.make_node("Transpose", ["p2"], ["t2"], perm=[0, 2, 3, 1]),
         helper.make_node("Reshape", ["t2", "shape"], ["f"]),
         helper.make_node("MatMul", ["f", "k3"], ["m3"]), helper.make_node("Add", ["m3", "b3"], ["a3"]),
         helper.make_node("Relu", ["a3"], ["r3"]),
         helper.make_node("MatMul", ["r3", "k4"], ["m4"]), helper.make_node("Add", ["m4", "b4"], ["logits"])]
graph = helper.make_graph(nodes, "keras_cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 10, 10, 2])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])],
                          [init("k1", k1.transpose(3, 2, 0, 1)), init("b1", b1), init("k2", k2.transpose(3, 2, 0, 1)), init("b2", b2),
                           init("shape", np.array([-1, 4 * 3 * 5], np.int64)), init("k3", k3), init("b3", b3), init("k4", k4), init("b4", b4)])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, os.path.join(FIXTURES, "keras_cnn_nhwc.onnx"))
cases.append(case("Tests/EndToEndTests/Fixtures/byom/keras_cnn_nhwc.onnx", xk.transpose(0, 3, 1, 2),
                  kcnn.predict(xk, verbose=0).astype(np.float64).tolist()))

# 4. Batch normalisation (folded into the layer before) and a Keras functional chain. Made
#    last, so the models above keep their random streams.
bn = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                   nn.Linear(4 * 4 * 4, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Linear(6, 3))
with torch.no_grad():
    for m in bn:
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2); m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.3, 0.3)
bn.eval()
xb = np.random.rand(5, 2, 10, 10).astype(np.float32)
with torch.no_grad():
    bn_logits = bn.double()(torch.from_numpy(xb).double()).tolist()
torch_export(bn, xb[:2], os.path.join(FIXTURES, "batchnorm.onnx"))
torch_export(bn, xb[:2], os.path.join(FIXTURES, "batchnorm_legacy.onnx"), dynamo=False)
cases.append(case("Tests/EndToEndTests/Fixtures/byom/batchnorm.onnx", xb, bn_logits))
cases.append(case("Tests/EndToEndTests/Fixtures/byom/batchnorm_legacy.onnx", xb, bn_logits))

inputs = keras.Input((12,))
hidden = keras.layers.Dense(8)(inputs)
hidden = keras.layers.BatchNormalization()(hidden)
hidden = keras.layers.Activation("relu")(hidden)
outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Dense(5, activation="tanh")(hidden))
functional = keras.Model(inputs, outputs)
norm = functional.layers[2]
norm.set_weights([np.random.uniform(0.5, 1.5, 8), np.random.uniform(-0.3, 0.3, 8), np.random.uniform(-0.5, 0.5, 8), np.random.uniform(0.5, 2, 8)])
functional.save(os.path.join(FIXTURES, "keras_functional.h5"))
pre_softmax = keras.Model(functional.inputs, functional.layers[-2].output).predict(x[:8], verbose=0).astype(np.float64)
w_out, b_out = functional.layers[-1].get_weights()
cases.append(case("Tests/EndToEndTests/Fixtures/byom/keras_functional.h5", x[:8], (pre_softmax @ w_out + b_out).tolist()))

# 5. Global pooling: PyTorch's AdaptiveAvgPool2d(1) (GlobalAveragePool) and Keras's GlobalMaxPooling2D.
gp = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3)).eval()
xg = np.random.rand(4, 1, 8, 8).astype(np.float32)
with torch.no_grad():
    gp_logits = gp.double()(torch.from_numpy(xg).double()).tolist()
torch_export(gp, xg[:2], os.path.join(FIXTURES, "global_pool.onnx"), dynamo=False)
cases.append(case("Tests/EndToEndTests/Fixtures/byom/global_pool.onnx", xg, gp_logits))
kg = keras.Sequential([keras.Input((8, 8, 2)), keras.layers.Conv2D(5, 3, activation="relu"), keras.layers.GlobalMaxPooling2D(), keras.layers.Dense(3)])
xkg = np.random.rand(4, 8, 8, 2).astype(np.float32)
kg.save(os.path.join(FIXTURES, "keras_global_pool.h5"))
cases.append(case("Tests/EndToEndTests/Fixtures/byom/keras_global_pool.h5", xkg.transpose(0, 3, 1, 2), kg.predict(xkg, verbose=0).astype(np.float64).tolist()))

# 6. LeakyReLU with PyTorch's default slope, also as the ONNX model's first activation after pooling.
lk = nn.Sequential(nn.Linear(12, 8), nn.LeakyReLU(), nn.Linear(8, 6), nn.LeakyReLU(0.01), nn.Linear(6, 2)).eval()
with torch.no_grad():
    lk_logits = lk.double()(torch.from_numpy(x[:8]).double()).tolist()
torch_export(lk, x[:2], os.path.join(FIXTURES, "leaky.onnx"), dynamo=False)
cases.append(case("Tests/EndToEndTests/Fixtures/byom/leaky.onnx", x[:8], lk_logits))

with open(os.path.join(FIXTURES, "parity.json"), "w") as f:
    json.dump({"generator": "examples/byom/make_models.py", "torch": torch.__version__, "keras": keras.__version__,
               "onnx": onnx.__version__, "cases": cases}, f)
print("wrote", len(cases), "cases")
