import Analysis
import Foundation
import Plotting
import Recording
import Reports

extension ResultsBrowser {
    /// One run as the index and the JSON show it.
    struct RunSummary: Encodable {
        var file: String
        var seed: UInt64?
        var status: String
        var epochs: Int?
        var totalEpochs: Int?
        var testAccuracy: Double?
        var error: String?
    }

    /// One folder as the index and the JSON show it.
    struct FolderSummary: Encodable {
        var folder: String
        var experiment: String?
        var variant: String?
        var runs: [RunSummary]
        var analysis: AnalysisSummary?
    }

    struct AnalysisSummary: Encodable {
        var runs: Int
        var epochs: Int
        var estimators: [String]
        var written: String?
        var error: String?
    }

    static func summarize(_ folder: ResultsCatalog.Folder) -> FolderSummary {
        var summary = FolderSummary(folder: folder.name, runs: [])
        for path in folder.runs {
            let file = (path as NSString).lastPathComponent
            do {
                let run = try RunFile.open(path)
                summary.experiment = summary.experiment ?? run.experiment
                if summary.variant == nil, !run.sweep.isEmpty { summary.variant = AnalysisFile.variantText(run.sweep) }
                let accuracy = (try? run.metrics().values["test_accuracy"]?.last).flatMap { $0 }
                summary.runs.append(RunSummary(file: file, seed: run.seed, status: run.status.rawValue, epochs: run.completedEpochs,
                                               totalEpochs: run.totalEpochs, testAccuracy: accuracy.flatMap { $0.isFinite ? $0 : nil }))
            } catch {
                summary.runs.append(RunSummary(file: file, status: "unreadable", error: "\(error)"))
            }
        }
        if let path = folder.analysis {
            do {
                let analysis = try AnalysisFile.read(path)
                summary.experiment = summary.experiment ?? analysis.experiment
                summary.variant = summary.variant ?? analysis.variant
                let written = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                summary.analysis = AnalysisSummary(runs: analysis.runs.count, epochs: analysis.epochs.count,
                                                   estimators: analysis.labels.map(analysis.displayTitle),
                                                   written: written.map { ISO8601DateFormatter().string(from: $0) })
            } catch {
                summary.analysis = AnalysisSummary(runs: 0, epochs: 0, estimators: [], error: "\(error)")
            }
        }
        return summary
    }

    func status(_ catalog: ResultsCatalog) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(catalog.folders.map(Self.summarize))
    }

    func index(_ catalog: ResultsCatalog) throws -> String {
        let summaries = catalog.folders.map(Self.summarize)
        let training = summaries.contains { $0.runs.contains { $0.status == RunStatus.incomplete.rawValue } }
        var rows = ""
        for s in summaries {
            let counts = Dictionary(s.runs.map { ($0.status, 1) }, uniquingKeysWith: +)
            let runs = s.runs.isEmpty ? "–" : counts.sorted { $0.key < $1.key }.map { "<span class=\"\($0.key)\">\($0.value) \($0.key)</span>" }.joined(separator: ", ")
            let epochs = s.runs.compactMap(\.epochs).min().map { e in "\(e) / \(s.runs.compactMap(\.totalEpochs).max() ?? e)" } ?? "–"
            let analysis = s.analysis.map { a in
                a.error.map { "<span class=\"diverged\">\(SVG.escape($0))</span>" }
                    ?? "\(a.runs) run(s) × \(a.epochs) epochs: \(SVG.escape(a.estimators.joined(separator: "; ")))<br><span class=\"note\">written \(a.written ?? "?")</span>"
            } ?? "not analysed"
            var links = ["<a href=\"\(Self.link("/runs", s.folder))\">runs</a>"]
            if s.analysis?.error == nil, s.analysis != nil { links.insert("<a href=\"\(Self.link("/plane", s.folder))\">plane</a>", at: 0) }
            rows += "<tr><td>\(SVG.escape(s.folder))</td><td>\(SVG.escape(s.experiment ?? "–"))</td><td>\(SVG.escape(s.variant ?? ""))</td>"
            rows += "<td>\(runs)</td><td>\(epochs)</td><td>\(analysis)</td><td>\(links.joined(separator: " · "))</td></tr>\n"
        }
        let comparisons = catalog.comparable.map { "<li><a href=\"\(Self.link("/compare", $0))\">\(SVG.escape($0))</a>: its variants side by side</li>" }.joined(separator: "\n")
        let body = """
        <p class="note">Results under \(SVG.escape(root)): every folder with run files or an analysis. Read-only; \(training ? "runs are training: this page reloads every \(refresh) s and shows their committed epochs" : "no run is training").</p>
        <table id="folders"><tr><th>folder</th><th>experiment</th><th>variant</th><th>runs</th><th>epochs (least run / planned)</th><th>analysis</th><th></th></tr>
        \(rows)</table>
        \(comparisons.isEmpty ? "" : "<h2>Comparisons</h2>\n<ul id=\"comparisons\">\n\(comparisons)\n</ul>")
        """
        return Self.page("infoplane results", body, refresh: training ? refresh : nil)
    }

    /// A folder's runs: status, committed epochs, and their training curves so far.
    func runs(_ folder: ResultsCatalog.Folder) throws -> String {
        let summary = Self.summarize(folder)
        var curves: [(String, [Figures.Series], [Figures.Series])] = []
        for path in folder.runs {
            guard let run = try? RunFile.open(path), let (epochs, values) = try? run.metrics() else { continue }
            let x = epochs.map { Double(max($0, 1)) }
            let name = (path as NSString).lastPathComponent
            curves.append((name, [Figures.Series(name: name, points: zip(x, values["test_accuracy"] ?? []).map { ($0, $1) })],
                           [Figures.Series(name: name, points: zip(x, values["train_loss"] ?? []).map { ($0, $1) })]))
        }
        var figure = ""
        if curves.contains(where: { ($0.1.first?.points.count ?? 0) > 1 }) {
            let svg = Figures.lines([("test accuracy", "fraction correct", curves.flatMap(\.1), []), ("train loss", "nats", curves.flatMap(\.2), [])],
                                    xLabel: "epoch", logX: true, title: "\(summary.experiment ?? folder.name): committed epochs so far")
            figure = "<img alt=\"training curves\" src=\"data:image/svg+xml;base64,\(Data(svg.text.utf8).base64EncodedString())\">"
        }
        let rows = summary.runs.map { r in
            "<tr><td>\(SVG.escape(r.file))</td><td class=\"\(r.status)\">\(r.status)\(r.error.map { ": " + SVG.escape($0) } ?? "")</td><td>\(r.epochs.map(String.init) ?? "–") / \(r.totalEpochs.map(String.init) ?? "–")</td><td>\(r.testAccuracy.map { String(format: "%.4f", $0) } ?? "–")</td></tr>"
        }.joined(separator: "\n")
        let training = summary.runs.contains { $0.status == RunStatus.incomplete.rawValue }
        let body = """
        <p class="note">\(SVG.escape(summary.experiment ?? ""))\(summary.variant.map { " (" + SVG.escape($0) + ")" } ?? ""): committed epochs only\(training ? "; reloads every \(refresh) s while runs train" : "").\(folder.analysis != nil ? " <a href=\"\(Self.link("/plane", folder.name))\">The information plane</a>." : "")</p>
        <table id="runs"><tr><th>run</th><th>status</th><th>epochs</th><th>test accuracy</th></tr>
        \(rows)</table>
        \(figure)
        """
        return Self.page("Runs of \(folder.name)", body, refresh: training ? refresh : nil)
    }
}
