#!/usr/bin/env python3
"""Keras 3 functional graphs and the `.keras` archive, and the logits the tests compare with.

    keras_graph:  a functional CNN on 8×8×1: a = Conv2D-ReLU(x), b = Conv2D-ReLU(a),
                  s = Add([a, b]), c = Concatenate([s, a]), Conv2D 1×1 → BatchNormalization
                  → ReLU(max_value=6), GlobalAveragePooling2D, Dense (3 logits)
    keras_mlp:    a Sequential MLP on 12 features with a ReLU6 activation (3 logits)
    keras_separable: MobileNet-style on 8×8×3: Conv2D-ReLU, DepthwiseConv2D (depth multiplier 2)-ReLU6,
                  SeparableConv2D-ReLU, Conv2D with dilation 2, a grouped Conv2D (2 groups),
                  GlobalAveragePooling2D, Dense (3 logits), GELU and hard swish in between;
                  as .keras and as HDF5

Each saved in Keras 3's own format (`.keras`: config.json and model.weights.h5 in a zip)
and keras_graph also as HDF5 (`model.save("….h5")`), with random weights and batch
statistics (fixed seed), and Keras's logits (float32, on the torch backend) in
keras.json, inputs in the lab's NHWC layout. Run with keras and torch installed (not
part of `make test`):
    KERAS_BACKEND=torch python Tests/EndToEndTests/Fixtures/graphs/make_keras_models.py
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(20161210)


def graph_model():
    x = keras.Input((8, 8, 1))
    a = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(x)
    b = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c2")(a)
    s = keras.layers.Add(name="sum")([a, b])
    c = keras.layers.Concatenate(name="join")([s, a])
    d = keras.layers.BatchNormalization(name="bn")(keras.layers.Conv2D(4, 1, name="c3")(c))
    e = keras.layers.ReLU(max_value=6, name="relu6")(d)
    out = keras.layers.Dense(3, name="logits")(keras.layers.GlobalAveragePooling2D(name="pool")(e))
    model = keras.Model(x, out)
    bn = model.get_layer("bn")
    bn.set_weights([np.random.uniform(0.5, 1.5, 4), np.random.uniform(-0.2, 0.2, 4),
                    np.random.uniform(-0.3, 0.3, 4), np.random.uniform(0.5, 2.0, 4)])
    return model


def mlp_model():
    return keras.Sequential([keras.Input((12,)), keras.layers.Dense(10, activation="relu6"), keras.layers.Dense(6, activation="tanh"),
                             keras.layers.Dense(3)])


def separable_model():
    return keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
        keras.layers.ReLU(max_value=6),
        keras.layers.SeparableConv2D(8, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(8, 3, dilation_rate=2, padding="valid"),
        keras.layers.Activation("gelu"),
        keras.layers.Conv2D(4, 1, groups=2, activation="hard_silu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3)])


def main():
    cases = []
    for name, model, shape in [("keras_graph", graph_model(), (8, 8, 1)), ("keras_mlp", mlp_model(), (12,)),
                               ("keras_separable", separable_model(), (8, 8, 3))]:
        x = np.random.uniform(0, 3 if name == "keras_mlp" else 1, (6, *shape)).astype(np.float32)
        model.save(os.path.join(HERE, f"{name}.keras"))
        if name in ("keras_graph", "keras_separable"):
            model.save(os.path.join(HERE, f"{name}.h5"))
        logits = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
        cases.append({"name": name, "inputs": x.reshape(len(x), -1).tolist(), "sample_shape": list(shape), "logits": logits.tolist()})
    with open(os.path.join(HERE, "keras.json"), "w") as f:
        json.dump({"generator": f"keras {keras.__version__} (make_keras_models.py)", "cases": cases}, f)
    print("wrote", len(cases), "cases")


if __name__ == "__main__":
    main()
