import ArgumentParser
import Plotting

/// The figure options `plot` and `compare` share: the main estimator, the planes' axis
/// limits, the display size and the type size.
struct FigureOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The estimator of the main figures: a label of the analysis (binning_intervals30) or the form it was computed with (binning:bins=30). Default: the configured one.", valueName: "label"))
    var estimator: String?

    @Option(help: ArgumentHelp("I(X;T) axis limits of the information planes, in bits.", valueName: "low,high"))
    var xlim: String?

    @Option(help: ArgumentHelp("I(T;Y) axis limits of the information planes, in bits.", valueName: "low,high"))
    var ylim: String?

    @Flag(help: "Fit the planes' axes to the data (5% margin) instead of 0 to H(X) and H(Y); --xlim/--ylim win on their axis.")
    var zoom = false

    @Option(help: ArgumentHelp("Display size of every figure in px: a width (the height follows) or WIDTHxHEIGHT; PNGs are rendered at twice this.", valueName: "size"))
    var size: String?

    @Option(help: ArgumentHelp("Multiply every font size (0.5 to 3).", valueName: "factor"))
    var fontScale = 1.0

    func validate() throws { _ = try style() }

    /// The style these options ask for.
    func style() throws -> FigureStyle {
        var style = FigureStyle()
        if zoom { (style.x, style.y) = (.fit, .fit) }
        if let xlim { style.x = try Self.limits(xlim, option: "--xlim") }
        if let ylim { style.y = try Self.limits(ylim, option: "--ylim") }
        guard fontScale.isFinite, (0.5...3).contains(fontScale) else { throw ValidationError("--font-scale must be within 0.5…3, got \(fontScale)") }
        style.fontScale = fontScale
        if let size { style.size = try Self.size(size) }
        return style
    }

    static func limits(_ text: String, option: String) throws -> FigureStyle.Limits {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low.isFinite, high.isFinite, low < high else {
            throw ValidationError("\(option) must be two finite numbers low,high with low < high, got \"\(text)\"")
        }
        return .fixed(low, high)
    }

    static func size(_ text: String) throws -> (width: Double, height: Double?) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.map { (50...20000).contains($0) } == true }) else {
            throw ValidationError("--size must be a width or WIDTHxHEIGHT in px, each 50…20000, got \"\(text)\"")
        }
        return (Double(parts[0]!), parts.count == 2 ? Double(parts[1]!) : nil)
    }
}
