"""Analysis files (docs/analysis-file.md), one estimator at a time."""
import h5py
import xarray as xr

from ._run import check_format, _text

ANALYSIS_FORMAT_VERSIONS = (1, 2)


def estimators(path):
    """The estimators an analysis file holds: ``{label: its --estimator form}``."""
    with h5py.File(str(path), "r") as f:
        check_format(f, "infoplane-analysis", ANALYSIS_FORMAT_VERSIONS, path)
        group = f.get("estimators", {})
        return {label: _text(group[label].attrs.get("estimator", "")) for label in group}


def open_analysis(path, estimator=None):
    """One estimator's results as an ``xarray.Dataset`` (read lazily by h5netcdf):
    ``ixt``, ``ity`` ``[seed, epoch, layer]`` in bits, their means, standard deviations and
    bootstrap intervals ``[epoch, layer]``, the DPI excesses ``[seed, epoch, layer_pair]``, …

    ``estimator`` is a label (``binning_intervals30``) or an ``--estimator`` form
    (``binning:bins=30,range=[-1,1]``); it may be left out when the file holds one estimator.
    The file's root attributes ``experiment`` and ``sweep`` are added to the dataset's.
    """
    path = str(path)
    found = estimators(path)
    if estimator is None:
        if len(found) != 1:
            raise ValueError(f"{path} holds the estimators {', '.join(found)}; choose one with estimator=")
        label = next(iter(found))
    elif estimator in found:
        label = estimator
    else:
        matches = [label for label, form in found.items() if form == estimator]
        if not matches:
            raise ValueError(f"{path} has no estimator {estimator!r} (it holds {', '.join(found)})")
        label = matches[0]
    ds = xr.open_dataset(path, group=f"estimators/{label}", engine="h5netcdf")
    with h5py.File(path, "r") as f:
        ds.attrs.update({"experiment": _text(f.attrs.get("experiment", "")), "sweep": _text(f.attrs.get("sweep", "")), "source": path})
    return ds
