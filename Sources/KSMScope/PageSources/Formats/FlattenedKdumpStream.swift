/// The index of a flattened kdump stream: where each byte of the reassembled dump lies in the
/// stream file.
///
/// `makedumpfile -F` and QEMU's `kdump-*` formats write a kdump-compressed dump as a stream
/// that can go through a pipe: a 4096-byte `makedumpfile_header` (signature "makedumpfile",
/// big-endian `type` 1 and `version` 1), then records of a big-endian
/// `{int64 offset; int64 buf_size}` header and `buf_size` bytes meaning "write these bytes at
/// `offset` of the dump". A record with offset -1 ends the stream. `makedumpfile -R` replays
/// the records into a file; this index maps offsets of that reassembled dump (called logical
/// offsets here) to the stream file instead, so nothing is copied. As in a replay, a later
/// record overwrites an earlier one, and bytes no record writes read as zeros (a hole).
struct FlattenedKdumpStream: Sendable {
    /// A stretch of the reassembled dump that lies contiguously in the stream file.
    struct Segment: Sendable, Equatable {
        /// Its logical offset.
        var logicalStart: Int
        /// Its length in bytes.
        var length: Int
        /// Where its first byte is in the stream file.
        var fileOffset: Int

        /// The logical offset after its last byte.
        var logicalEnd: Int { logicalStart + length }
    }

    /// `MAX_SIZE_MDF_HEADER`: the size of the stream's header.
    static let headerSize = 4096
    /// The size of a record header.
    static let recordHeaderSize = 16

    /// The written stretches, sorted by logical offset, not overlapping.
    let segments: [Segment]

    /// Indexes the stream in `bytes` (the whole file).
    ///
    /// A stream cut short (no end record, or a last record whose data is incomplete) is
    /// indexed as far as it goes: the dump's pages that lie in the missing part then fail to
    /// read one by one.
    ///
    /// - Throws: a ``DumpError`` for a wrong header, a record with a negative offset or size,
    ///   or offsets that overflow.
    init(bytes: UnsafeRawBufferPointer, path: String) throws(DumpError) {
        let cursor = ByteCursor(bytes, byteOrder: .bigEndian, path: path)
        guard cursor.matches(ImageFormat.flattenedSignature, at: 0) else {
            throw DumpError(
                path: path, offset: 0, problem: "not a flattened kdump stream: no \"makedumpfile\" signature")
        }
        let type = try cursor.i64(16, "makedumpfile_header.type")
        guard type == 1 else {
            throw DumpError(
                path: path, offset: 16, problem: "flattened kdump stream of unknown type \(type) (expected 1)")
        }
        let version = try cursor.i64(24, "makedumpfile_header.version")
        guard version == 1 else {
            throw DumpError(
                path: path, offset: 24, problem: "flattened kdump stream of unknown version \(version) (expected 1)")
        }
        guard bytes.count >= Self.headerSize else {
            throw DumpError(
                path: path, offset: 0,
                problem:
                    "truncated flattened kdump stream: its header needs \(Self.headerSize) bytes, "
                    + "the file has \(bytes.count)"
            )
        }

        // Read the records in stream order; a later one wins where they overlap.
        var records: [Segment] = []
        var position = Self.headerSize
        while bytes.count - position >= Self.recordHeaderSize {
            let offset = try cursor.i64(position, "record offset")
            let size = try cursor.i64(position + 8, "record size")
            if offset == -1 { break }  // the end record
            guard offset >= 0 else {
                throw DumpError(
                    path: path, offset: position, problem: "flattened record with negative offset \(offset)")
            }
            guard size >= 0 else {
                throw DumpError(
                    path: path, offset: position + 8, problem: "flattened record with negative size \(size)")
            }
            let dataStart = position + Self.recordHeaderSize
            guard Checked.add(Int(offset), Int(size)) != nil else {
                throw DumpError(
                    path: path, offset: position,
                    problem: "flattened record at dump offset \(offset) of \(size) bytes overflows")
            }
            let available = min(Int(size), bytes.count - dataStart)  // a cut last record keeps what is there
            if available > 0 {
                records.append(Segment(logicalStart: Int(offset), length: available, fileOffset: dataStart))
            }
            guard available == Int(size) else { break }
            position = dataStart + available
        }
        segments = Self.resolveOverwrites(records)
    }

    /// Turns records in write order into non-overlapping segments where the last write wins.
    ///
    /// Records rarely overlap (makedumpfile rewrites its sub-header once), so sorted,
    /// disjoint records are taken as they are. Otherwise a sweep over the record boundaries
    /// keeps, between each two boundaries, the latest record covering them: O(n log n) even
    /// for a crafted stream of overlapping records.
    static func resolveOverwrites(_ records: [Segment]) -> [Segment] {
        let order = records.indices.sorted { (records[$0].logicalStart, $0) < (records[$1].logicalStart, $1) }
        var disjoint = true
        for (previous, next) in zip(order, order.dropFirst())
        where records[previous].logicalEnd > records[next].logicalStart {
            disjoint = false
            break
        }
        if disjoint { return order.map { records[$0] } }

        var boundaries = records.flatMap { [$0.logicalStart, $0.logicalEnd] }
        boundaries.sort()
        var unique: [Int] = []
        unique.reserveCapacity(boundaries.count)
        for boundary in boundaries where unique.last != boundary { unique.append(boundary) }

        var segments: [Segment] = []
        var active = MaxHeap()  // record numbers (later = larger) covering the current stretch
        var next = 0  // position in `order` of the next record to start
        for (index, point) in unique.enumerated().dropLast() {
            while next < order.count, records[order[next]].logicalStart <= point {
                active.push(order[next])
                next += 1
            }
            while let top = active.top, records[top].logicalEnd <= point { active.pop() }
            guard let winner = active.top else { continue }
            let record = records[winner]
            let stretch = Segment(
                logicalStart: point, length: unique[index + 1] - point,
                fileOffset: record.fileOffset + (point - record.logicalStart))
            if let last = segments.last, last.logicalEnd == stretch.logicalStart,
                last.fileOffset + last.length == stretch.fileOffset
            {
                segments[segments.count - 1].length += stretch.length
            } else {
                segments.append(stretch)
            }
        }
        return segments
    }

    /// The number of the segment holding logical offset `offset`, if one does.
    func segment(containing offset: Int) -> Int? {
        var low = 0
        var high = segments.count - 1
        guard high >= 0, offset >= segments[0].logicalStart else { return nil }
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].logicalStart <= offset { low = middle } else { high = middle - 1 }
        }
        return offset < segments[low].logicalEnd ? low : nil
    }

    /// The file offset of logical offset `offset`, or nil in a hole.
    func fileOffset(ofLogical offset: Int) -> Int? {
        segment(containing: offset).map { segments[$0].fileOffset + offset - segments[$0].logicalStart }
    }

    /// A stretch of a range of the dump: written by a record (with its file offset) or a hole.
    struct Piece: Equatable {
        /// The logical offsets it covers.
        var logical: Range<Int>
        /// Where its bytes are in the stream file; nil for a hole.
        var fileOffset: Int?
    }

    /// The written and unwritten stretches of `range`, in order.
    ///
    /// (An iterator rather than a closure taking `forEach`: see ``KdumpImage/Storage`` on why
    /// the byte copies stay out of throwing closures.)
    func pieces(of range: Range<Int>) -> Pieces {
        // Start at the segment holding the start, or the first one after it.
        var index: Int
        if let holding = segment(containing: range.lowerBound) {
            index = holding
        } else {
            var low = 0
            var high = segments.count
            while low < high {
                let middle = (low + high) / 2
                if segments[middle].logicalStart < range.lowerBound { low = middle + 1 } else { high = middle }
            }
            index = low
        }
        return Pieces(segments: segments, position: range.lowerBound, end: range.upperBound, index: index)
    }

    /// The stretches of a range, from ``pieces(of:)``.
    struct Pieces: Sequence, IteratorProtocol {
        let segments: [Segment]
        var position: Int
        let end: Int
        var index: Int

        mutating func next() -> Piece? {
            guard position < end else { return nil }
            guard index < segments.count else {
                defer { position = end }
                return Piece(logical: position..<end, fileOffset: nil)
            }
            let segment = segments[index]
            if segment.logicalStart > position {
                let stop = Swift.min(segment.logicalStart, end)
                defer { position = stop }
                return Piece(logical: position..<stop, fileOffset: nil)
            }
            let stop = Swift.min(segment.logicalEnd, end)
            defer {
                position = stop
                index += 1
            }
            return Piece(logical: position..<stop, fileOffset: segment.fileOffset + position - segment.logicalStart)
        }
    }

    /// Whether every byte of `range` is written by some record.
    func isWritten(_ range: Range<Int>) -> Bool {
        for piece in pieces(of: range) where piece.fileOffset == nil { return false }
        return true
    }

    /// How many bytes of `range` records write.
    func writtenBytes(in range: Range<Int>) -> Int {
        var total = 0
        for piece in pieces(of: range) where piece.fileOffset != nil { total += piece.logical.count }
        return total
    }
}

/// A binary max-heap of record numbers, for the overwrite sweep.
private struct MaxHeap {
    private var items: [Int] = []

    var top: Int? { items.first }

    mutating func push(_ item: Int) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent] < items[child] else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var largest = parent
            if left < items.count, items[left] > items[largest] { largest = left }
            if right < items.count, items[right] > items[largest] { largest = right }
            guard largest != parent else { return }
            items.swapAt(parent, largest)
            parent = largest
        }
    }
}
