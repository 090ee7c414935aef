import ArgumentParser
import KSMScope

/// Image inputs a scanning command accepts besides paths (`scan` adds live processes).
protocol ExtraImageInputs: ParsableArguments {
    /// Whether these inputs name at least one image, so that no path is needed.
    var namesImages: Bool { get }
    /// The other inputs, for the message when nothing is named: ", --pid or --qemu".
    static var alternatives: String { get }
}

/// No image inputs besides paths.
struct NoExtraImageInputs: ExtraImageInputs {
    var namesImages: Bool { false }
    static var alternatives: String { "" }
}

