import CHDF5

/// Anything in an HDF5 file that has an identifier and a path: files (the root group),
/// groups and datasets. Attributes hang off any of them (see `H5Object+Attributes`).
public protocol H5Object: Sendable {
    /// The open identifier.
    var handle: ObjectHandle { get }
    /// The path of the file on disk, for error messages.
    var filePath: String { get }
    /// The object's absolute path inside the file, e.g. `/layers/0_dense`.
    var path: String { get }
}

/// An object that holds named children: the file's root group and every group.
public protocol H5Container: H5Object {}

/// What a path inside a file leads through.
private enum LinkState { case hard, notHard, missing }

extension H5Container {
    func childPath(_ name: String) -> String {
        name.hasPrefix("/") ? name : (path == "/" ? "/" + name : path + "/" + name)
    }

    /// Whether a link exists at `name` (a relative or absolute path; every
    /// intermediate group is checked, so `a/b/c` with no `a` is simply `false`).
    /// Only hard links count: a soft or external link (which could lead into another
    /// file, `../secret.h5` or `/etc/…`) is as good as missing, so nothing outside the
    /// file is ever read through it (``linkLeavesFile(_:)`` tells the two apart).
    public func contains(_ name: String) -> Bool {
        linkState(name) == .hard
    }

    /// Whether `name` (or a group on the way to it) is a soft, external or user-defined
    /// link, which the lab does not follow.
    public func linkLeavesFile(_ name: String) -> Bool {
        linkState(name) == .notHard
    }

    private func linkState(_ name: String) -> LinkState {
        HDF5Library.ensureInitialised()
        let absolute = name.hasPrefix("/")
        var prefix = ""
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            prefix = prefix.isEmpty ? (absolute ? "/" : "") + component : prefix + "/" + component
            if H5Lexists(handle.id, prefix, ip_H5P_DEFAULT()) <= 0 {
                _ = HDF5Library.drainErrorStack()
                return .missing
            }
            switch ip_link_is_hard(handle.id, prefix) {
            case 1: continue
            case 0: return .notHard
            default:
                _ = HDF5Library.drainErrorStack()
                return .missing
            }
        }
        return .hard
    }

    /// The names of the direct children, in creation-independent (name) order.
    public func childNames() throws(HDF5Error) -> [String] {
        HDF5Library.ensureInitialised()
        var names: [String] = []
        var index: hsize_t = 0
        let status = withUnsafeMutablePointer(to: &names) { box in
            H5Literate(handle.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, client in
                guard let name, let client else { return 0 }
                client.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                return 0
            }, box)
        }
        try check(status, "H5Literate", file: filePath, object: path)
        return names
    }

    /// Whether the child at `name` is a group (`false` for datasets or when missing).
    public func isGroup(_ name: String) -> Bool {
        contains(name) && ip_object_type(handle.id, name) == ip_H5O_TYPE_GROUP()
    }

    /// Whether the child at `name` is a dataset (`false` for groups or when missing).
    public func isDataset(_ name: String) -> Bool {
        contains(name) && ip_object_type(handle.id, name) == ip_H5O_TYPE_DATASET()
    }

    /// Creates a group, and any missing intermediate groups of `name`.
    public func createGroup(_ name: String) throws(HDF5Error) -> H5Group {
        HDF5Library.ensureInitialised()
        let lcpl = try check(H5Pcreate(ip_H5P_LINK_CREATE()), "H5Pcreate", file: filePath)
        let lcplHandle = ObjectHandle.propertyList(lcpl)
        try check(H5Pset_create_intermediate_group(lcplHandle.id, 1), "H5Pset_create_intermediate_group", file: filePath)
        let gcpl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_GROUP_CREATE()), "H5Pcreate", file: filePath))
        try check(H5Pset_obj_track_times(gcpl.id, false), "H5Pset_obj_track_times", file: filePath)
        let id = try check(H5Gcreate2(handle.id, name, lcplHandle.id, gcpl.id, ip_H5P_DEFAULT()),
                           "H5Gcreate2", file: filePath, object: childPath(name))
        return H5Group(handle: .group(id), filePath: filePath, path: childPath(name))
    }

    /// Opens an existing group.
    public func group(_ name: String) throws(HDF5Error) -> H5Group {
        guard contains(name) else {
            throw HDF5Error(.objectNotFound, call: "H5Gopen2", file: filePath, object: childPath(name),
                            detail: linkLeavesFile(name) ? Self.linkRefusal : "no such group")
        }
        let id = try check(H5Gopen2(handle.id, name, ip_H5P_DEFAULT()), "H5Gopen2", file: filePath, object: childPath(name))
        return H5Group(handle: .group(id), filePath: filePath, path: childPath(name))
    }

    /// Opens the group at `name`, creating it (and its parents) when missing.
    public func groupCreatingIfNeeded(_ name: String) throws(HDF5Error) -> H5Group {
        contains(name) ? try group(name) : try createGroup(name)
    }

    /// Opens an existing dataset. A dataset reached through a soft or external link, or
    /// one that keeps its values in other files (external storage, a virtual dataset),
    /// is refused: the lab reads nothing outside the file it was given.
    public func dataset(_ name: String) throws(HDF5Error) -> H5Dataset {
        guard contains(name) else {
            throw HDF5Error(.objectNotFound, call: "H5Dopen2", file: filePath, object: childPath(name),
                            detail: linkLeavesFile(name) ? Self.linkRefusal : "no such dataset")
        }
        let id = try check(H5Dopen2(handle.id, name, ip_H5P_DEFAULT()), "H5Dopen2", file: filePath, object: childPath(name))
        let dataset = H5Dataset(handle: .dataset(id), filePath: filePath, path: childPath(name))
        guard ip_dataset_reads_elsewhere(id) == 0 else {
            _ = HDF5Library.drainErrorStack()
            throw HDF5Error(.mismatch, call: "H5Dopen2", file: filePath, object: childPath(name),
                            detail: "keeps its values in other files (external storage or a virtual dataset), which infoplane does not read")
        }
        return dataset
    }

    static var linkRefusal: String {
        "is a soft or external link, which infoplane does not follow (it reads nothing outside the file)"
    }

    /// Removes the link `name` (the object's space is reclaimed only by repacking).
    public func remove(_ name: String) throws(HDF5Error) {
        try check(H5Ldelete(handle.id, name, ip_H5P_DEFAULT()), "H5Ldelete", file: filePath, object: childPath(name))
    }
}

/// A group inside an HDF5 file.
public struct H5Group: H5Container {
    public let handle: ObjectHandle
    public let filePath: String
    public let path: String
}
