/// Comparisons of run files that several suites make (resumed against uninterrupted,
/// compacted against contiguous, trained here against trained there).
enum RunFileComparison {
    /// Python: two run files hold the same training, bit for bit (every dataset but the
    /// ones that record wall-clock time).
    static let sameTraining = """
    import sys, h5py
    a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    names = []
    a.visit(names.append)
    compared = 0
    for name in names:
        if isinstance(a[name], h5py.Dataset) and "seconds" not in name and "time" not in name:
            x, y = a[name][()], b[name][()]
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name
            compared += 1
    assert compared > 20, compared
    print(compared)
    """
}
