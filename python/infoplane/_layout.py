"""Creates a run file's layout (docs/run-file.md) and writes its rows crash-safely.

As the lab's ``RunRecorder`` does: every dataset is created at its final size with its
storage allocated, contiguous, under ``<name>.h5.partial``, which is renamed into place;
from then on no HDF5 metadata is changed. Each row is one ``os.pwrite`` at the offset
HDF5 allocated for it (``H5Dget_offset`` + row x row size), rows before the commit-record
entry that names them, so a killed process leaves a file any HDF5 reader opens, with
every committed row whole.
"""
import datetime
import errno
import fcntl
import os
import stat

import h5py
import numpy as np

FORMAT = "infoplane-run"
FORMAT_VERSION = 2
METRICS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")
GRADIENTS = ("mean_norm", "std_norm", "snr", "weight_norm")
STORAGE = {"float32": np.dtype("<f4"), "float16": np.dtype("<f2")}


class WriterLock:
    """An exclusive ``flock`` on ``<file>.lock`` holding this process's pid, as the lab
    takes it (so ``infoplane inspect`` tells a run being written from an interrupted one).
    The lock file is never opened through a link and must be a regular file of this user."""

    def __init__(self, target):
        self.path = target + ".lock"
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise PermissionError(f"{self.path}: a symbolic link where the lock file belongs; refused (its target is not touched)") from None
            raise
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_nlink != 1:
            os.close(fd)
            raise PermissionError(f"{self.path}: not a lock file of this user (a link, FIFO or another user's file)")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 31, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise RuntimeError(f"{target}: another process (pid {holder}) is writing it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def release(self):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _dataset(group, name, dtype, shape, fill=None):
    """A contiguous dataset with its storage allocated now (filled with ``fill`` when given;
    the big arrays are left unfilled: their bytes are the file's zeros)."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.CONTIGUOUS)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    if fill is None:
        dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
    else:
        dcpl.set_fill_value(np.array(fill, dtype=dtype))
        dcpl.set_fill_time(h5py.h5d.FILL_TIME_ALLOC)
    space = h5py.h5s.create_simple(tuple(int(d) for d in shape))
    h5py.h5d.create(group.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl)
    return group[name]


class RunLayout:
    """The run file's datasets, created at their final size; ``rows`` maps each dataset's
    path to its byte offset and row size for the raw writes that follow."""

    def __init__(self, path, *, attributes, samples, layers, logged, total_epochs, storage):
        self.path = path
        partial = path + ".partial"
        if os.path.lexists(partial):
            os.unlink(partial)  # a layout a killed writer left half made (never a run file)
        with h5py.File(partial, "w", libver="earliest") as f:
            for key, value in attributes.items():
                f.attrs[key] = value
            dataset = f.create_group("dataset")
            dataset.attrs["name"] = samples["name"]
            dataset.attrs["class_count"] = np.int32(samples["class_count"])
            dataset.create_dataset("x", data=np.ascontiguousarray(samples["x"], dtype="<f4"))
            dataset.create_dataset("y", data=np.asarray(samples["y"], dtype="<i4"))
            dataset.create_dataset("index", data=np.asarray(samples["index"], dtype="<i8"))
            dataset.create_dataset("split", data=np.asarray(samples["split"], dtype="u1"))
            n = len(samples["y"])
            _dataset(f, "epochs", "<i8", [len(logged)], fill=-1)
            metrics = f.create_group("metrics")
            _dataset(metrics, "epoch", "<i8", [total_epochs + 1], fill=-1)
            for name in METRICS:
                _dataset(metrics, name, "<f8", [total_epochs + 1], fill=np.nan)
            gradients = f.create_group("gradients")
            _dataset(gradients, "epochs", "<i8", [len(logged)], fill=-1)
            for index, layer in enumerate(layers):
                group = f.create_group(f"layers/{index}_{layer['name']}")
                group.attrs["name"] = layer["name"]
                group.attrs["kind"] = layer["kind"]
                group.attrs["activation"] = layer["activation"]
                group.attrs["index"] = np.int32(index)
                group.attrs["inputs"] = ",".join(layer["inputs"])
                group.attrs["output_shape"] = np.asarray(layer["output_shape"], dtype="<i8")
                for key, value in layer.get("attributes", {}).items():
                    group.attrs[key] = value
                _dataset(group, "activations", STORAGE[storage], [len(logged), n] + list(layer["output_shape"]))
                if layer.get("weight_shape") is not None:
                    statistics = f.create_group(f"gradients/{index}_{layer['name']}")
                    statistics.attrs["name"] = layer["name"]
                    for name in GRADIENTS:
                        _dataset(statistics, name, "<f8", [len(logged)], fill=np.nan)
            f.flush()
            self.rows = {}

            def visit(name, item):
                if isinstance(item, h5py.Dataset) and not name.startswith("dataset/"):
                    offset = item.id.get_offset()
                    if offset is None:
                        raise RuntimeError(f"{partial}: {name} has no storage allocated")
                    row = item.dtype.itemsize * int(np.prod(item.shape[1:], dtype=np.int64))
                    self.rows[name] = (offset, row, item.dtype, tuple(item.shape))
            f.visititems(visit)
        fd = os.open(partial, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            try:
                os.posix_fallocate(fd, 0, size)  # fail now, not in epoch 900, on a small disk
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EFBIG):
                    raise OSError(error.errno, f"no room on the disk for the run file's {size / 2**20:.0f} MiB", partial) from None
                if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):  # a file system without it: blocks come as written
                    raise
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, path)
        self.fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)

    def write(self, name, row, values):
        """Row ``row`` of dataset ``name`` (one pwrite of its bytes)."""
        offset, size, dtype, shape = self.rows[name]
        data = np.ascontiguousarray(values, dtype=dtype)
        if data.size * dtype.itemsize != size or not 0 <= row < shape[0]:
            raise ValueError(f"{name}: row {row} of {data.size} values does not fit the dataset's rows of shape {shape[1:]}")
        view = memoryview(data).cast("B")
        written = 0
        while written < size:
            written += os.pwrite(self.fd, view[written:], offset + row * size + written)

    def close(self):
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
