"""A Keras 3 functional model with a residual sum and a softmax output, trained with
``fit`` and recorded by ``infoplane.keras.KerasRecorder`` (PythonRecorderTests). Prints
Keras's own loss of the final model on the recorded samples as JSON.

usage: record_keras.py OUT
"""
import json
import sys

import keras
import numpy as np

import infoplane.keras

rng = np.random.default_rng(0)
x = rng.integers(0, 2, (1024, 12)).astype("float32")
y = (x[:, :6].sum(1) > 3).astype("int64")
keras.utils.set_random_seed(1)
inputs = keras.Input((12,))
first = keras.layers.Dense(8, activation="tanh", name="d1")(inputs)
second = keras.layers.Dense(8, activation="tanh", name="d2")(first)
total = keras.layers.Add(name="sum")([first, second])
outputs = keras.layers.Dense(2, activation="softmax", name="out")(total)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
recorder = infoplane.keras.KerasRecorder(sys.argv[1], x, y, schedule={"log_spaced": 10}, experiment="keras-res",
                                         save_model=True)
model.fit(x, y, epochs=20, batch_size=128, callbacks=[recorder], verbose=0)
print(json.dumps({"loss": float(model.evaluate(x, y, verbose=0)), "backend": keras.backend.backend()}))
