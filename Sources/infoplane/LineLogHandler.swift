import Foundation
import Logging

/// Logs one plain line per message to standard error: `infoplane: message`, with the
/// level for warnings and errors.
struct LineLogHandler: LogHandler {
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = event.level >= .warning ? "infoplane: \(event.level): " : "infoplane: "
        writeError(prefix + event.message.description)
    }
}
