/// The configuration's spelling of a layer, as `Codable`: one key naming the kind, its
/// hyperparameters below it (`{conv2d: {filters: 8, kernel: [3, 3], stride: 1,
/// padding: 1, activation: relu}}`), `{activation: relu}`, and the bare string `flatten`.
/// Encoding writes every hyperparameter; decoding accepts what a configuration may
/// leave out (a square `kernel: 3`, a pool's `stride` equal to its size, a convolution's
/// stride 1 and padding 0) and refuses unknown kinds and keys by name.
extension LayerSpec: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The hyperparameters' names per kind: what ``init(from:)`` accepts and
    /// ``encode(to:)`` writes (the configuration parser uses the same lists).
    public static func keys(of kind: LayerKind) -> [String] {
        switch kind {
        case .dense: ["units", "activation"]
        case .conv2d: ["filters", "kernel", "stride", "padding", "activation"]
        case .maxpool2d, .avgpool2d: ["size", "stride"]
        case .flatten, .activation, .add, .concat, .module: []
        }
    }

    public func encode(to encoder: any Encoder) throws {
        // Kinds without hyperparameters are their name.
        if Self.keys(of: kind).isEmpty, kind != .activation {
            var single = encoder.singleValueContainer()
            try single.encode(kind.rawValue)
            return
        }
        var outer = encoder.container(keyedBy: Key.self)
        let kindKey = Key(kind.rawValue)
        switch self {
        case .dense(let units, let activation):
            var body = outer.nestedContainer(keyedBy: Key.self, forKey: kindKey)
            try body.encode(units, forKey: Key("units"))
            try body.encode(activation, forKey: Key("activation"))
        case .conv2d(let filters, let kernel, let stride, let padding, let activation):
            var body = outer.nestedContainer(keyedBy: Key.self, forKey: kindKey)
            try body.encode(filters, forKey: Key("filters"))
            try body.encode(kernel, forKey: Key("kernel"))
            try body.encode(stride, forKey: Key("stride"))
            try body.encode(padding, forKey: Key("padding"))
            try body.encode(activation, forKey: Key("activation"))
        case .maxpool2d(let size, let stride), .avgpool2d(let size, let stride):
            var body = outer.nestedContainer(keyedBy: Key.self, forKey: kindKey)
            try body.encode(size, forKey: Key("size"))
            try body.encode(stride, forKey: Key("stride"))
        case .activation(let activation):
            try outer.encode(activation, forKey: kindKey)
        case .flatten, .add, .concat:
            break
        }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            switch LayerKind(rawValue: text) {
            case .flatten?: self = .flatten
            case .add?: self = .add
            case .concat?: self = .concat
            case .dense?, .conv2d?, .maxpool2d?, .avgpool2d?, .activation?, .module?, nil:
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "\"\(text)\" is not a layer (flatten, add, concat, or a mapping like {dense: {units: 64}})")
            }
            return
        }
        let outer = try decoder.container(keyedBy: Key.self)
        guard outer.allKeys.count == 1, let key = outer.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "one layer kind per layer, got \(outer.allKeys.map(\.stringValue))"))
        }
        guard let kind = LayerKind(rawValue: key.stringValue) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                   debugDescription: "\"\(key.stringValue)\" is not a layer kind (\(LayerKind.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        func body() throws -> KeyedDecodingContainer<Key> {
            let body = try outer.nestedContainer(keyedBy: Key.self, forKey: key)
            let allowed = Self.keys(of: kind)
            if let unknown = body.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
                throw DecodingError.dataCorrupted(.init(codingPath: body.codingPath + [unknown],
                                                       debugDescription: "unknown key \"\(unknown.stringValue)\" for \(kind.rawValue) (\(allowed.joined(separator: ", ")))"))
            }
            return body
        }
        switch kind {
        case .module:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                   debugDescription: "\"module\" names a layer recorded from another framework, which the lab cannot build"))
        case .flatten:
            self = .flatten
        case .add:
            self = .add
        case .concat:
            self = .concat
        case .activation:
            self = .activation(try outer.decode(Activation.self, forKey: key))
        case .dense:
            let body = try body()
            self = .dense(units: try body.decode(Int.self, forKey: Key("units")), activation: try body.decode(Activation.self, forKey: Key("activation")))
        case .conv2d:
            let body = try body()
            let kernel = try (try? body.decode([Int].self, forKey: Key("kernel"))) ?? [body.decode(Int.self, forKey: Key("kernel"))]
            self = .conv2d(filters: try body.decode(Int.self, forKey: Key("filters")),
                           kernel: kernel.count == 1 ? [kernel[0], kernel[0]] : kernel,
                           stride: try body.decodeIfPresent(Int.self, forKey: Key("stride")) ?? 1,
                           padding: try body.decodeIfPresent(Int.self, forKey: Key("padding")) ?? 0,
                           activation: try body.decode(Activation.self, forKey: Key("activation")))
        case .maxpool2d, .avgpool2d:
            let body = try body()
            let size = try body.decodeIfPresent(Int.self, forKey: Key("size")) ?? 2
            let stride = try body.decodeIfPresent(Int.self, forKey: Key("stride")) ?? size
            self = kind == .maxpool2d ? .maxpool2d(size: size, stride: stride) : .avgpool2d(size: size, stride: stride)
        }
    }
}
