import ArgumentParser
import CProcess
import HDF5
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Parses the arguments, runs the command, and maps failures to the documented exit
/// codes (see ``ExitStatus``; the argument parser's own default for usage errors is 64,
/// ours is 2). Every error is one line on stderr.
func runInfoplane() -> Int32 {
    // Under an address-space limit too small for OpenBLAS's buffers, its allocation would
    // be retried forever: refuse at once, without running exit handlers that wait for its
    // threads.
    if let shortfall = AddressSpace.shortfall() {
        writeError("infoplane: \(shortfall)")
        _exit(ExitStatus.failure)
    }
    // Lines reach a log file (stdout redirected, as under a cluster scheduler) as they are
    // printed, in order with stderr's, not in 4 KiB blocks lost to a SIGTERM.
    if isatty(STDOUT_FILENO) == 0 { ip_line_buffer_stdout() }
    // OpenBLAS's thread count first: its idle workers would otherwise spin on the second
    // core for the first 0.1 s, which is all of a short command's time.
    BLAS.ensureConfigured()
    do {
        var command = try Infoplane.parseAsRoot()
        try command.run()
        return ExitStatus.success
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch where isParserError(error) {
        if Infoplane.exitCode(for: error) == .success {
            print(Infoplane.fullMessage(for: error))
            return ExitStatus.success
        }
        // The parser's message folded to its first line, then where to look.
        let first = Infoplane.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "bad usage"
        let message = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
        writeError("infoplane: \(message) (see --help)")
        return ExitStatus.badInput
    } catch {
        writeError(ExitStatus.line(for: error))
        return ExitStatus.code(for: error)
    }
}

/// Errors of the argument parser itself (help and version requests, usage errors,
/// `validate()` failures), as opposed to the lab's errors from a command's `run()`.
func isParserError(_ error: any Error) -> Bool {
    error is ValidationError || error is CleanExit || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
}

HDF5Library.installDamagedFileGuard()
exit(runInfoplane())
