/// Receives what a pass over the inputs finds, page by page; one instance per worker.
/// (`SendableMetatype`: the workers' closures name the sink's type.)
protocol FingerprintSink: SendableMetatype {
    /// A run of all-zero pages of `image` (local page numbers).
    mutating func zeros(_ pages: Range<Int>, image: Int)
    /// A non-zero page in the sample: its fingerprint and local page number (-1 when a
    /// fingerprint file does not say which page).
    mutating func page(_ page: Int, image: Int, fingerprint: PageFingerprint)
    /// Pages that could not be read (`--keep-going`).
    mutating func unreadable(_ count: Int, image: Int)
}
