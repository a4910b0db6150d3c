import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Runs the command and maps failures to the documented exit codes (the argument
/// parser's own default for usage errors is 64; ours is 2).
func runInfoplane() -> Int32 {
    do {
        var command = try Infoplane.parseAsRoot()
        try command.run()
        return 0
    } catch let error as InputError {
        writeError("infoplane: \(error)")
        return 2
    } catch {
        let code = Infoplane.exitCode(for: error)
        if code == .success {
            print(Infoplane.fullMessage(for: error))
            return 0
        }
        if code == .validationFailure {
            writeError(Infoplane.fullMessage(for: error))
            return 2
        }
        if let exit = error as? ExitCode { return exit.rawValue }
        writeError("infoplane: \(error)")
        return 1
    }
}

exit(runInfoplane())
