/// Supplies timeline guests to a simulation: `--timeline` lists on the command line, or the
/// `timeline.json` manifest `ksmscope generate --timeline` writes.
public protocol TimelineSource {
    /// The guests, in order.
    func guests() throws -> [SimulatedGuest]
}
