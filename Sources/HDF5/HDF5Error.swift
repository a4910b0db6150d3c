import CHDF5
import CHDF5Guard
import Diagnostics

/// An error from the HDF5 layer: which call failed, on which file and object, and why.
///
/// HDF5's own automatic error printing is switched off (see ``HDF5Library``); the
/// library's error stack is read instead and its most specific messages are kept in
/// ``detail``.
public struct HDF5Error: LabError, Equatable {
    /// A failed call that changes a file is the machine's failure (disk, permissions of
    /// the output folder); any other, a damaged or wrong input file.
    public var failure: FailureKind {
        ["H5Dwrite", "H5Fcreate", "H5Fflush", "H5Dcreate2", "H5Gcreate2", "H5Acreate2", "H5Awrite", "H5Dset_extent", "H5Dflush", "H5Ocopy"]
            .contains(call) ? .runtime : .input
    }

    public enum Kind: Sendable, Equatable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but does not start with an HDF5 signature.
        case notHDF5
        /// An object (group, dataset, attribute) named by a path does not exist.
        case objectNotFound
        /// A value does not fit what the object holds (shape, rank, element type).
        case mismatch
        /// The file would be overwritten.
        case fileExists
        /// An HDF5 call returned a negative status.
        case callFailed
    }

    public var kind: Kind
    /// The HDF5 C function (or Swift operation) that failed, e.g. `H5Fopen`.
    public var call: String
    /// The file the operation was on.
    public var file: String
    /// The object inside the file (group, dataset or attribute path), if any.
    public var object: String?
    /// The most specific messages of HDF5's error stack, or a reason of our own.
    public var detail: String

    public init(_ kind: Kind, call: String, file: String, object: String? = nil, detail: String) {
        self.kind = kind
        self.call = call
        self.file = file
        self.object = object
        self.detail = detail
    }

    public var description: String {
        var text = "\(file)"
        if let object { text += ":\(object)" }
        text += ": \(call) failed"
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }
}

/// Process-wide HDF5 set-up: opens the library once and silences its stderr printing.
///
/// The Debian `hdf5-serial` build is thread-safe (its settings say `Threadsafety: yes`),
/// so handles may be used from several threads; HDF5 serialises the calls itself.
public enum HDF5Library {
    private static let initialised: Bool = {
        H5open()
        return true
    }()

    /// Call before any HDF5 function: opens the library once per process and silences
    /// HDF5's error printing once per thread; cheap afterwards.
    @inline(__always)
    public static func ensureInitialised() {
        _ = initialised
        ip_silence_errors()
    }

    /// Installs the process-wide guard for damaged files (see `hdf5_guard.h`): a crash
    /// inside HDF5, or a string read that hangs for 10 s, ends the process with one
    /// line naming the file and exit code 2. For command-line tools only.
    public static func installDamagedFileGuard() {
        ip_guard_install()
    }

    /// The library version, e.g. "1.10.8".
    public static var version: String {
        ensureInitialised()
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// The descriptions on the current thread's HDF5 error stack, outermost first;
    /// clears the stack.
    static func drainErrorStack() -> [String] {
        var messages: [String] = []
        withUnsafeMutablePointer(to: &messages) { box in
            _ = H5Ewalk2(ip_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, error, client in
                guard let error, let client else { return 0 }
                let list = client.assumingMemoryBound(to: [String].self)
                if let desc = error.pointee.desc {
                    let text = String(cString: desc)
                    if !text.isEmpty { list.pointee.append(text) }
                }
                return 0
            }, box)
        }
        H5Eclear2(ip_H5E_DEFAULT())
        return messages
    }

    /// Turns the current error stack into a short detail: the outermost message and
    /// the innermost (most specific) one.
    static func errorDetail() -> String {
        let stack = drainErrorStack()
        guard let first = stack.first else { return "" }
        guard let last = stack.last, last != first else { return first }
        return "\(first) (\(last))"
    }
}

/// Checks an HDF5 status or identifier: negative means failure.
@inline(__always)
@discardableResult
func check<T: BinaryInteger>(_ status: T, _ call: StaticString, file: String, object: String? = nil) throws(HDF5Error) -> T {
    if status < 0 {
        throw HDF5Error(.callFailed, call: "\(call)", file: file, object: object,
                        detail: HDF5Library.errorDetail())
    }
    return status
}
