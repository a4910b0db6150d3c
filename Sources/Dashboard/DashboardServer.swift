import FlyingFox
import FlyingSocks
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `infoplane serve`'s HTTP side: FlyingFox (a small server on Swift concurrency and BSD
/// sockets, without dependencies; the SwiftNIO-based Hummingbird or Vapor would triple
/// the build of `make run` on two cores for a read-only page server) bound to one
/// address, every request answered by ``ResultsBrowser``.
package struct DashboardServer: Sendable {
    package var browser: ResultsBrowser
    package var host: String
    package var port: UInt16
    /// Called after each request is answered: method, path (without the query), status.
    package var served: (@Sendable (String, String, Int) -> Void)?

    package init(browser: ResultsBrowser, host: String, port: UInt16) {
        self.browser = browser
        self.host = host
        self.port = port
    }

    /// Serves until the task is cancelled or the process ends; `listening` is called
    /// once with the address the server listens on (the port chosen when 0 was asked).
    package func run(listening: @Sendable @escaping (String) -> Void) async throws {
        let address = try sockaddr_in.inet(ip4: host, port: port)
        let server = HTTPServer(address: address, timeout: 30, logger: .disabled)
        let browser = self.browser, served = self.served
        await server.appendRoute("*") { request in
            let query = Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            let response = browser.respond(method: request.method.rawValue, path: request.path, query: query)
            served?(request.method.rawValue, request.path, response.status)
            var headers: HTTPHeaders = [:]
            headers[.contentType] = response.contentType
            headers[HTTPHeader("X-Content-Type-Options")] = "nosniff"
            headers[HTTPHeader("Cache-Control")] = "no-store"
            return HTTPResponse(statusCode: HTTPStatusCode(response.status, phrase: Self.phrase(response.status)), headers: headers,
                                body: request.method == .HEAD ? Data() : response.body)
        }
        let host = self.host, requested = port
        let announce = Task {
            try await server.waitUntilListening()
            if case .ip4(_, let port)? = await server.listeningAddress { listening("http://\(host):\(port)/") } else { listening("http://\(host):\(requested)/") }
        }
        defer { announce.cancel() }
        try await server.run()
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 422: "Unprocessable Content"
        default: "Status"
        }
    }
}
