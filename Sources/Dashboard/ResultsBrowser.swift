import Analysis
import Foundation
import Plotting
import Recording
import Reports

/// The pages of `infoplane serve`, as plain functions of a request's method, path and
/// query (so they are tested without a socket): the index of a results root, an
/// analysed folder's interactive plane, a folder's runs while they train (committed rows
/// only), a comparison of a folder's analysed variants, and the index as JSON. Read-only:
/// GET and HEAD only; a folder is named by its path in the ``ResultsCatalog``, never
/// joined to the file system.
package struct ResultsBrowser: Sendable {
    package struct Response: Sendable, Equatable {
        package var status: Int
        package var contentType: String
        package var body: Data
        package init(status: Int, contentType: String = "text/html; charset=utf-8", body: Data) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
        static func html(_ text: String, status: Int = 200) -> Response { Response(status: status, body: Data(text.utf8)) }
    }

    package var root: String
    /// Seconds between reloads of a page showing runs that still train.
    package var refresh = 5

    package init(root: String) { self.root = root }

    package func respond(method: String, path: String, query: [String: String]) -> Response {
        guard method == "GET" || method == "HEAD" else {
            return .html(Self.page("Not allowed", "<p>This server is read-only: GET and HEAD only.</p>"), status: 405)
        }
        let catalog = ResultsCatalog(root: root)
        do {
            switch path {
            case "/", "/index.html": return .html(try index(catalog))
            case "/api/status.json": return Response(status: 200, contentType: "application/json", body: try status(catalog))
            case "/plane", "/runs", "/compare":
                guard let name = query["folder"], let folder = catalog.folder(named: name) ?? (path == "/compare" ? Self.parent(name, in: catalog) : nil) else {
                    return .html(Self.page("Not found", "<p>No such folder under the results root.</p>"), status: 404)
                }
                switch path {
                case "/plane": return try plane(folder, estimator: query["estimator"])
                case "/runs": return .html(try runs(folder))
                default: return try compare(folder, catalog: catalog)
                }
            default:
                return .html(Self.page("Not found", "<p>No page \(SVG.escape(path)). <a href=\"/\">The index</a>.</p>"), status: 404)
            }
        } catch {
            // A file that cannot be read as asked (damaged, of another kind, being replaced): said, not fatal.
            return .html(Self.page("Cannot show this", "<p>\(SVG.escape("\(error)"))</p><p><a href=\"/\">The index</a></p>"), status: 422)
        }
    }

    /// A comparable parent (a sweep's experiment folder) as a catalog folder of its own.
    static func parent(_ name: String, in catalog: ResultsCatalog) -> ResultsCatalog.Folder? {
        guard catalog.comparable.contains(name) else { return nil }
        return ResultsCatalog.Folder(name: name, path: (catalog.root as NSString).appendingPathComponent(name), runs: [], analysis: nil)
    }

    func plane(_ folder: ResultsCatalog.Folder, estimator: String?) throws -> Response {
        guard folder.analysis != nil else {
            return .html(Self.page("No analysis", "<p>\(SVG.escape(folder.name)) has no analysis yet (infoplane analyze). <a href=\"\(Self.link("/runs", folder.name))\">Its runs</a>.</p>"), status: 404)
        }
        return .html(try InteractivePlane.html(PlotMaker.figures(folder.path, estimator: estimator).figures))
    }

    func compare(_ folder: ResultsCatalog.Folder, catalog: ResultsCatalog) throws -> Response {
        let variants = catalog.analysed(under: folder.name).map(\.path)
        return .html(try Comparison(folders: variants, estimator: nil, layers: nil).page())
    }

    /// `/plane?folder=quick` with the value escaped for a query.
    static func link(_ page: String, _ folder: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#;")
        return page + "?folder=" + (folder.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }

    /// A page in the browser's frame: title, styles, the body, a link home.
    static func page(_ title: String, _ body: String, refresh: Int? = nil) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">\(refresh.map { "\n<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
        <title>\(SVG.escape(title)) · infoplane</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
        table { border-collapse: collapse; font-size: 13px; margin: 12px 0; }
        th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; vertical-align: top; }
        .note { color: #555; font-size: 12px; } .incomplete { color: #b35c00; } .diverged { color: #c0392b; }
        img { max-width: 100%; height: auto; }
        </style></head><body>
        <p class="note"><a href="/">infoplane results</a></p>
        <h1>\(SVG.escape(title))</h1>
        \(body)
        </body></html>

        """
    }
}
