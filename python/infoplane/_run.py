"""Run files (docs/run-file.md) as xarray Datasets, activations read lazily."""
import h5py
import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

RUN_FORMAT_VERSIONS = (1, 2)
METRICS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def committed(values):
    """The entries of a commit record before its first -1 (rows written so far)."""
    values = np.asarray(values)
    unwritten = np.flatnonzero(values < 0)
    return values[: unwritten[0] if len(unwritten) else len(values)]


def check_format(f, name, versions, path):
    found = _text(f.attrs.get("format", ""))
    if found != name:
        raise ValueError(f"{path}: not an infoplane {name.split('-')[-1]} file (format attribute {found!r})")
    version = int(f.attrs.get("format_version", -1))
    if version not in versions:
        raise ValueError(f"{path}: format version {version}; this package reads versions {', '.join(map(str, versions))}")
    return version


class _Rows(BackendArray):
    """The first `rows` rows of an HDF5 dataset (its committed ones), read when indexed."""

    def __init__(self, path, name, rows):
        self.path, self.name = path, name
        with h5py.File(path, "r") as f:
            dataset = f[name]
            self.shape = (rows,) + tuple(dataset.shape[1:])
            self.dtype = dataset.dtype

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.BASIC, self._read)

    def _read(self, key):
        key = tuple(key) + (slice(None),) * (len(self.shape) - len(key))
        # A slice along the rows is taken within the committed rows, never beyond them.
        first = key[0]
        if isinstance(first, slice):
            first = slice(*first.indices(self.shape[0]))
        with h5py.File(self.path, "r") as f:
            return np.asarray(f[self.name][(first,) + key[1:]])


def _lazy(path, name, rows, dims):
    return xr.Variable(dims, indexing.LazilyIndexedArray(_Rows(path, name, rows)))


def _unit_dims(layer, shape):
    if len(shape) == 3:
        return (f"{layer}_height", f"{layer}_width", f"{layer}_channel")
    return tuple(f"{layer}_unit" if len(shape) == 1 else f"{layer}_axis{k}" for k in range(len(shape)))


def open_run(path):
    """A run file as an ``xarray.Dataset``.

    - one variable per layer, named like the layer, ``[epoch, sample, unit…]`` (feature maps
      ``[epoch, sample, height, width, channel]``): its recorded activations at the committed
      logged epochs, read from the file only when indexed (``.sel``/``.isel``/``.values``);
      float16 storage stays float16;
    - ``<layer>_weights`` and ``<layer>_bias`` ``[epoch, …]`` where the run recorded weights;
    - ``inputs`` ``[sample, …]`` (lazy), and per sample the coordinates ``label``, ``split``
      (0 training, 1 test, 2 neither) and ``sample_index`` (the row in the source data);
    - ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy`` over the dimension
      ``completed_epochs`` (0 = the initialisation), committed rows only;
    - attributes: ``experiment``, ``seed``, ``format_version``, ``total_epochs``, ``log_timing``,
      ``activation_storage``, ``config`` (YAML), ``status`` (complete, incomplete or diverged).
    """
    path = str(path)
    with h5py.File(path, "r") as f:
        version = check_format(f, "infoplane-run", RUN_FORMAT_VERSIONS, path)
        epochs = committed(f["epochs"][...])
        completed = committed(f["metrics/epoch"][...])
        samples = f["dataset/y"].shape[0]
        groups = sorted(f["layers"], key=lambda g: int(f["layers"][g].attrs["index"]))
        layers = [(g, _text(f["layers"][g].attrs["name"]), f["layers"][g]) for g in groups]
        data, coords = {}, {"epoch": ("epoch", epochs.astype(np.int64)), "sample": ("sample", np.arange(samples)),
                            "completed_epochs": ("completed_epochs", completed.astype(np.int64))}
        for key, name in (("y", "label"), ("split", "split"), ("index", "sample_index")):
            coords[name] = ("sample", f["dataset"][key][...])
        for group, name, g in layers:
            shape = tuple(int(v) for v in g.attrs["output_shape"])
            data[name] = _lazy(path, f"layers/{group}/activations", len(epochs), ("epoch", "sample") + _unit_dims(name, shape))
            for parameter in ("weights", "bias"):
                if parameter in g:
                    dims = ("epoch",) + tuple(f"{name}_{parameter}_axis{k}" for k in range(g[parameter].ndim - 1))
                    data[f"{name}_{parameter}"] = _lazy(path, f"layers/{group}/{parameter}", len(epochs), dims)
        x = f["dataset/x"]
        data["inputs"] = _lazy(path, "dataset/x", samples, ("sample",) + tuple(f"input_axis{k}" for k in range(x.ndim - 1)))
        for metric in METRICS:
            data[metric] = xr.Variable(("completed_epochs",), f["metrics"][metric][: len(completed)])
        total = int(f.attrs["total_epochs"])
        losses = f["metrics/train_loss"][: len(completed)]
        status = ("diverged" if len(losses) > 1 and not np.all(np.isfinite(losses[1:]))
                  else "complete" if len(completed) > total else "incomplete")
        attrs = {"experiment": _text(f.attrs["experiment"]), "seed": int(np.int64(f.attrs["seed"]).astype(np.uint64)),
                 "format_version": version, "total_epochs": total, "log_timing": _text(f.attrs["log_timing"]),
                 "activation_storage": _text(f.attrs["activation_storage"]), "config": _text(f.attrs["config"]),
                 "status": status, "layers": [name for _, name, _ in layers], "source": path}
    return xr.Dataset(data, coords=coords, attrs=attrs)
