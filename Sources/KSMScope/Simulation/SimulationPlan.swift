/// The guests of a simulation checked and numbered: each snapshot's image index in the
/// guest-major content map, and when each snapshot number takes effect.
struct SimulationPlan: Sendable {
    /// Per guest, the image index of each snapshot.
    let images: [[Int]]
    /// Per snapshot number (0: start), when it takes effect; every guest that has that
    /// snapshot agrees.
    let triggers: [SnapshotTrigger]
    /// Images in all.
    let imageCount: Int

    /// Checks `guests`.
    ///
    /// - Throws: ``SimulationError/noGuests`` without guests; ``TimelineError`` when a guest's
    ///   snapshots do not start at the start, are not in increasing order, mix full scans with
    ///   seconds, or guests disagree on when a snapshot number takes effect.
    init(guests: [SimulatedGuest]) throws {
        guard !guests.isEmpty else { throw SimulationError.noGuests }
        var images: [[Int]] = []
        var triggers: [SnapshotTrigger] = []
        var next = 0
        for guest in guests {
            guard let first = guest.snapshots.first, first.trigger == .start else {
                throw TimelineError.unorderedTriggers(guest: guest.name)
            }
            var previous = SnapshotTrigger.start
            for (index, snapshot) in guest.snapshots.enumerated() {
                if index > 0 {
                    switch (previous, snapshot.trigger) {
                    case (.start, .afterFullScans(let scans)) where scans > 0: break
                    case (.start, .atSeconds(let seconds)) where seconds > 0: break
                    case (.afterFullScans(let a), .afterFullScans(let b)) where b > a: break
                    case (.atSeconds(let a), .atSeconds(let b)) where b > a: break
                    default: throw TimelineError.unorderedTriggers(guest: guest.name)
                    }
                }
                if index < triggers.count {
                    guard triggers[index] == snapshot.trigger else {
                        throw TimelineError.inconsistentSteps(step: index)
                    }
                } else {
                    triggers.append(snapshot.trigger)
                }
                previous = snapshot.trigger
            }
            images.append(Array(next..<next + guest.snapshots.count))
            next += guest.snapshots.count
        }
        self.images = images
        self.triggers = triggers
        self.imageCount = next
    }
}
