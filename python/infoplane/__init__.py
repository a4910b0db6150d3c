"""infoplane's Python package (docs/external-tools.md, docs/run-file.md).

Write run files from your own training, and read the lab's files:

- ``Recorder(path, ...)``: writes a run file from any training loop (numpy arrays);
  ``infoplane.torch.TorchRecorder`` records a PyTorch model with forward hooks,
  ``infoplane.keras.KerasRecorder`` a Keras 3 ``fit`` as a callback.
- ``open_run(path)``: a run file as an ``xarray.Dataset``; activations are read lazily.
- ``open_analysis(path, estimator=None)``: one estimator's group of an analysis file.
- ``table(paths)``: the experiment-level table, as ``infoplane export table`` writes it.
- ``schedule_epochs(schedule, epochs)``: the epochs a logging schedule records.
"""
from ._version import __version__
from ._schedule import schedule_epochs
from ._recorder import Recorder, Layer
from ._layout import FORMAT_VERSION as RUN_FORMAT_WRITTEN


def __getattr__(name):
    # The readers need xarray and pandas; the recorder only numpy and h5py.
    if name in ("open_run", "RUN_FORMAT_VERSIONS"):
        from . import _run
        return getattr(_run, name)
    if name in ("open_analysis", "estimators", "ANALYSIS_FORMAT_VERSIONS"):
        from . import _analysis
        return getattr(_analysis, name)
    if name == "table":
        from ._table import table
        return table
    raise AttributeError(f"module 'infoplane' has no attribute {name!r}")


__all__ = ["Recorder", "Layer", "schedule_epochs", "open_run", "open_analysis", "estimators", "table",
           "RUN_FORMAT_VERSIONS", "RUN_FORMAT_WRITTEN", "ANALYSIS_FORMAT_VERSIONS", "__version__"]
