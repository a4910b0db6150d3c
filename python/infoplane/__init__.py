"""Read infoplane's run and analysis files (docs/run-file.md, docs/analysis-file.md).

- ``open_run(path)``: a run file as an ``xarray.Dataset``; activations are read lazily.
- ``open_analysis(path, estimator=None)``: one estimator's group of an analysis file.
- ``table(paths)``: the experiment-level table, as ``infoplane export table`` writes it.
"""
from ._run import open_run, RUN_FORMAT_VERSIONS
from ._analysis import open_analysis, estimators, ANALYSIS_FORMAT_VERSIONS
from ._table import table

__version__ = "0.1.0"
__all__ = ["open_run", "open_analysis", "estimators", "table", "RUN_FORMAT_VERSIONS", "ANALYSIS_FORMAT_VERSIONS", "__version__"]
