import ArgumentParser
import Dashboard
import Experiments
import Foundation
import Synchronization

/// `infoplane serve [RESULTS]`: the results browser over HTTP.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Browse a results folder over HTTP: experiments, variants, runs while they train, planes, comparisons.",
        discussion: """
        Serves, read-only, every folder with run files or an analysis under RESULTS: an index \
        with each folder's runs (status, committed epochs, test accuracy) and analysis \
        (estimators, when written), a folder's interactive information plane, its runs' \
        training curves so far (pages of training runs reload every few seconds), a \
        comparison of a sweep's analysed variants, and the index as JSON (/api/status.json). \
        Bound to 127.0.0.1 unless --host says otherwise; nothing outside RESULTS is served, \
        symbolic links are not followed, and pages load nothing from elsewhere. Stops with \
        Ctrl-C.

        Examples:
          # any free port, stop after a second
          infoplane serve results --port 0 --exit-after 1
          # results/ of the current folder
          infoplane serve --port 0 --exit-after 1
        """
    )

    @Argument(help: "The results root.")
    var results = "results"

    @Option(help: "Address to listen on (127.0.0.1: this machine only).")
    var host = "127.0.0.1"

    @Option(help: "Port (0: any free one; the address is printed).")
    var port = 8000

    @Option(help: ArgumentHelp("Stop after this many seconds (for scripts and tests); default: serve until interrupted.", valueName: "seconds"))
    var exitAfter: Double?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0…65535, got \(port)") }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { throw ValidationError("--host must be an IPv4 address such as 127.0.0.1, got \"\(host)\"") }
        if let exitAfter, !(exitAfter.isFinite && exitAfter >= 0 && exitAfter <= 1e7) { throw ValidationError("--exit-after must be within 0…10000000 seconds") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: results, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(results): no such folder")
        }
        let logger = output.logger()
        var server = DashboardServer(browser: ResultsBrowser(root: results), host: host, port: UInt16(port))
        // --verbose: one line per request answered (method, path, status).
        if output.verbose { server.served = { method, path, status in logger.info("\(method) \(Self.printable(path)) \(status)") } }
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0), listening = DispatchSemaphore(value: 0)
        let root = results, quiet = output.quiet
        let task = Task {
            do {
                try await server.run { address in
                    if !quiet { print("serving \(root) at \(address) (read-only; Ctrl-C stops)") }
                    listening.signal()
                }
            } catch {
                // Stopping (a signal, --exit-after) cancels the task, and the listening socket
                // then reports itself disconnected: only an error before that is a failure.
                if !Task.isCancelled { outcome.withLock { $0 = error } }
            }
            listening.signal()
            done.signal()
        }
        // SIGINT and SIGTERM stop the server (exit 130 and 143), whatever mask the parent gave us.
        Interruption.install()
        // --exit-after counts from when it listens; a signal stops it at any moment.
        var stopAt: DispatchTime?
        while done.wait(timeout: .now() + 0.2) == .timedOut {
            if stopAt == nil, let exitAfter, listening.wait(timeout: .now()) == .success { stopAt = .now() + exitAfter }
            if Interruption.signal != nil || stopAt.map({ DispatchTime.now() >= $0 }) == true { task.cancel() }
        }
        if let signal = Interruption.signal {
            writeError("infoplane: \(Interruption.name(signal)): stopped serving \(root)")
            throw ExitCode(Interruption.exitCode(signal))
        }
        if let error = outcome.withLock({ $0 }) { throw InputError("cannot serve on \(host):\(port): \(error)") }
    }

    /// A request path as a log line may show it: control characters (a terminal's escape
    /// sequences among them) as `?`, at most 200 characters.
    static func printable(_ path: String) -> String {
        let scalars = path.unicodeScalars.prefix(200).map { $0.properties.generalCategory == .control ? "?" : Character($0) }
        return String(scalars) + (path.unicodeScalars.count > 200 ? "…" : "")
    }
}
