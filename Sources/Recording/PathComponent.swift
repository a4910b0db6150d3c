/// The one way a name becomes part of a path: experiment names, sweep values and
/// anything read from a file pass through here before they name a folder or file.
///
/// A safe component starts with a letter or digit, holds only letters, digits, `.`, `_`,
/// `-`, `=` and `,`, is at most 120 characters, and so is never `.`, `..`, absolute, or
/// a path with separators.
public enum PathComponent {
    /// Whether `name` may be used as a path component as it is.
    public static func isSafe(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isAlphanumeric(first), name.utf8.count <= 120 else { return false }
        return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || "._-=,".unicodeScalars.contains($0) }
    }

    /// `name` made safe: every other character becomes `-`, runs of `-` fold to one, a
    /// leading character that is not a letter or digit is dropped, and an empty result
    /// becomes `unnamed`. Safe names are returned unchanged.
    public static func sanitized(_ name: String) -> String {
        if isSafe(name) { return name }
        var out = ""
        for scalar in name.unicodeScalars {
            let keep = isAlphanumeric(scalar) || "._-=,".unicodeScalars.contains(scalar)
            let character = keep ? Character(scalar) : "-"
            if character == "-" && out.hasSuffix("-") { continue }
            out.append(character)
        }
        while let first = out.unicodeScalars.first, !isAlphanumeric(first) { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        if out.utf8.count > 120 { out = String(out.prefix(120)) }
        return out.isEmpty ? "unnamed" : out
    }

    /// The folder part of `path`: `a/b/c.h5` → `a/b`, `c.h5` → empty, `/c` → `/`;
    /// trailing slashes ignored. The one replacement for `NSString.deletingLastPathComponent`,
    /// which traps on one-character relative paths (`"a"`, `"r/"`) in
    /// swift-corelibs-foundation (Swift 6.3.1): a user's `--results a` crashed `train`.
    public static func folder(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        var folder = trimmed[..<slash]
        while folder.count > 1 && folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
