import Foundation
import Testing
import TestSupport

/// `infoplane serve` over real HTTP: the index, planes, runs and comparison pages and the
/// JSON of a trained sweep; nothing outside the root (relative paths, absolute paths,
/// symbolic links); read-only; a run that is training shows its committed epochs and the
/// page reloads; Chromium renders the pages.
@Suite("Results browser", .serialized)
struct ServeTests {
    let cli = TestSupport.product("infoplane")

    /// A running `serve` and the address it printed.
    final class Server {
        let process = Process()
        let address: String
        init(_ cli: String, root: String) throws {
            process.executableURL = URL(fileURLWithPath: cli)
            process.arguments = ["serve", root, "--port", "0", "--exit-after", "120"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
            let text = String(decoding: line, as: UTF8.self)
            guard let start = text.range(of: "http://"), let end = text[start.lowerBound...].firstIndex(of: " ") else {
                process.terminate()
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "serve printed \(text)"])
            }
            address = String(text[start.lowerBound..<end])
        }
        deinit { if process.isRunning { process.terminate() }; process.waitUntilExit() }
    }

    /// Requests as (method, path) → status, body (urllib: the client is not ours).
    static func fetch(_ base: String, _ requests: [(String, String)]) throws -> [(status: Int, body: String)] {
        let script = """
        import sys, json, urllib.request, urllib.error
        out = []
        for method, path in json.loads(sys.argv[2]):
            request = urllib.request.Request(sys.argv[1].rstrip("/") + path, method=method)
            try:
                with urllib.request.urlopen(request, timeout=60) as r: out.append([r.status, r.read().decode("utf-8")])
            except urllib.error.HTTPError as e: out.append([e.code, e.read().decode("utf-8")])
        print(json.dumps(out))
        """
        let list = String(decoding: try JSONSerialization.data(withJSONObject: requests.map { [$0.0, $0.1] }), as: UTF8.self)
        let result = try TestSupport.runPython(script, [base, list])
        guard result.status == 0, let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Any]] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: result.stderr])
        }
        return rows.map { ($0[0] as? Int ?? 0, $0[1] as? String ?? "") }
    }

    @Test func pagesOfATrainedSweepAndNothingOutsideTheRoot() throws {
        let sweep = try CompareTests.trained.get()
        // Run files outside the root, reached through a symbolic link inside it: never listed or served.
        let outside = sweep.directory.appendingPathComponent("outside/secret")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sweep.results + "/sw/learning_rate=0.01/run-1.h5", toPath: outside.appendingPathComponent("run-1.h5").path)
        try? FileManager.default.createSymbolicLink(atPath: sweep.results + "/linked", withDestinationPath: outside.path)
        let server = try Server(cli, root: sweep.results)
        #expect(server.address.hasPrefix("http://127.0.0.1:"))
        let responses = try Self.fetch(server.address, [
            ("GET", "/"), ("GET", "/api/status.json"), ("GET", "/plane?folder=sw/learning_rate%3D0.01"), ("GET", "/compare?folder=sw"),
            ("GET", "/runs?folder=sw/learning_rate%3D0.001"), ("GET", "/plane?folder=.."), ("GET", "/plane?folder=/etc"),
            ("GET", "/runs?folder=linked"), ("GET", "/../../etc/passwd"), ("POST", "/"), ("HEAD", "/"), ("GET", "/plane?folder=sw"),
        ])
        let (index, json, plane, compare, runs) = (responses[0], responses[1], responses[2], responses[3], responses[4])
        #expect(index.status == 200 && index.body.contains("<td>sw/learning_rate=0.01</td>") && index.body.contains("href=\"/compare?folder=sw\""), "\(index)")
        #expect(!index.body.contains("secret") && !index.body.contains("linked") && !index.body.contains("http-equiv=\"refresh\""))
        let folders = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [[String: Any]])
        #expect(folders.map { $0["folder"] as? String } == ["sw/learning_rate=0.001", "sw/learning_rate=0.01"])
        for folder in folders {
            let runs = folder["runs"] as? [[String: Any]] ?? []
            #expect(runs.count == 2 && runs.allSatisfy { $0["status"] as? String == "complete" && $0["epochs"] as? Int == 30 }, "\(folder)")
            #expect((folder["analysis"] as? [String: Any])?["estimators"] as? [String] == ["Binning, 30 bins on [−1, 1]", "KDE upper bound, σ² = 0.1"])
        }
        #expect(plane.status == 200 && plane.body.contains("<script type=\"application/json\" id=\"data\">") && plane.body.contains("\"main\":0"))
        #expect(compare.status == 200 && compare.body.contains("<table id=\"final\">") && compare.body.contains("id=\"variants\""))
        #expect(runs.status == 200 && runs.body.contains("<table id=\"runs\">") && runs.body.contains("data:image/svg+xml;base64,"))
        for refused in responses[5...8] { #expect(refused.status == 404, "\(refused)") }
        #expect(responses[9].status == 405 && responses[10].status == 200 && responses[10].body.isEmpty)
        #expect(responses[11].status == 404, "a folder without an analysis has no plane")
        // SIGTERM (what a scheduler or Ctrl-C's cousin sends) stops it at once with 128 + 15.
        let started = Date()
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 143 && Date().timeIntervalSince(started) < 10)
    }

    /// A run that trains: the index shows its committed epochs as they come and reloads.
    @Test func aTrainingRunIsShownAsItTrains() throws {
        let directory = TestSupport.temporaryDirectory("serve-live")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("live.yaml").path
        try """
        name: live
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [8, 4]}
        training: {epochs: 200000, batch_size: 64, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: {every: 1000}, compact: false}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results").path
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        let training = Process()
        training.executableURL = URL(fileURLWithPath: cli)
        training.arguments = ["train", config, "--results", results, "--quiet"]
        training.standardOutput = FileHandle.nullDevice
        training.standardError = FileHandle.nullDevice
        try training.run()
        defer { training.terminate(); training.waitUntilExit() }
        let server = try Server(cli, root: results)
        var seen: [Int] = []
        for _ in 0..<60 where seen.count < 2 {
            Thread.sleep(forTimeInterval: 0.5)
            let response = try Self.fetch(server.address, [("GET", "/api/status.json"), ("GET", "/")])
            guard let folders = try? JSONSerialization.jsonObject(with: Data(response[0].body.utf8)) as? [[String: Any]],
                  let run = (folders.first?["runs"] as? [[String: Any]])?.first, let epochs = run["epochs"] as? Int, epochs > 0 else { continue }
            #expect(run["status"] as? String == "incomplete" && run["total_epochs"] as? Int == 200000, "\(run)")
            #expect(response[1].body.contains("<meta http-equiv=\"refresh\" content=\"5\">") && response[1].body.contains("1 incomplete"))
            if seen.last != epochs { seen.append(epochs) }
        }
        #expect(seen.count == 2 && seen[0] < seen[1], "committed epochs seen while training: \(seen)")
    }

    /// `--exit-after` stops it cleanly (exit 0) after saying where it listened; a root that is
    /// not a folder is bad input.
    @Test func exitAfterAndRefusals() throws {
        let directory = TestSupport.temporaryDirectory("serve-exit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stopped = try TestSupport.run(cli, ["serve", directory.path, "--port", "0", "--exit-after", "0.3"])
        #expect(stopped.status == 0 && stopped.stdout.hasPrefix("serving \(directory.path) at http://127.0.0.1:") && stopped.stderr.isEmpty, "\(stopped)")
        let missing = try TestSupport.run(cli, ["serve", directory.appendingPathComponent("none").path, "--port", "0", "--exit-after", "0"])
        #expect(missing.status == 2 && missing.stderr.hasSuffix("none: no such folder\n"), "\(missing.stderr)")
        let host = try TestSupport.run(cli, ["serve", directory.path, "--host", "localhost"])
        #expect(host.status == 2 && host.stderr.contains("--host must be an IPv4 address"), "\(host.stderr)")
    }

    @Test(.enabled(if: TestSupport.chromium != nil, "chromium is not installed (scripts/bootstrap --test installs it)"))
    func chromiumRendersTheComparisonServed() throws {
        let sweep = try CompareTests.trained.get()
        let server = try Server(cli, root: sweep.results)
        let dom = try TestSupport.run(try #require(TestSupport.chromium), ["--headless", "--no-sandbox", "--disable-gpu",
                                      "--user-data-dir=\(sweep.directory.path)/chromium-serve", "--dump-dom", server.address + "compare?folder=sw"])
        #expect(dom.stdout.contains("class=\"marker\"") && dom.stdout.contains("<option value=\"1\">learning_rate=0.01</option>"), "\(dom.stderr.suffix(400))")
    }
}
