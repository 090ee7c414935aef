/// Non-zero pages of one worker waiting to be hashed together, in page order.
///
/// XXH64 of one page is bound by the latency of its chain of multiplies; hashed 16 at a time
/// (``PageHashFunction/hash(pages:count:length:into:)``) the CPU overlaps the chains. Pages of
/// mapped images are kept by address; pages a reader may overwrite at its next read (a dump's
/// decompression buffer) are copied in.
struct PageBatch: ~Copyable {
    /// Pages hashed together.
    static let capacity = 16

    /// Bytes a page.
    let pageSize: Int
    /// Pages in the batch.
    private(set) var count = 0
    /// Each page's bytes.
    private let pointers: UnsafeMutablePointer<UnsafeRawPointer?>
    /// Each page's index (global, or in its input: whatever the caller appends).
    private let pages: UnsafeMutablePointer<Int>
    /// Each page's hash, after ``hash(with:)``.
    private let hashes: UnsafeMutablePointer<UInt64>
    /// Room for copies of pages whose bytes do not stay put.
    private let copies: UnsafeMutableRawPointer

    init(pageSize: Int) {
        self.pageSize = pageSize
        pointers = .allocate(capacity: Self.capacity)
        pages = .allocate(capacity: Self.capacity)
        hashes = .allocate(capacity: Self.capacity)
        copies = .allocate(byteCount: Self.capacity * pageSize, alignment: 64)
    }

    deinit {
        pointers.deallocate()
        pages.deallocate()
        hashes.deallocate()
        copies.deallocate()
    }

    /// Whether no more pages fit.
    var isFull: Bool { count == Self.capacity }

    /// Adds a page; `stable`: its bytes stay where they are until the batch is emptied (else
    /// they are copied).
    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer, page: Int, stable: Bool) {
        if stable {
            pointers[count] = bytes.baseAddress
        } else {
            let copy = copies + count * pageSize
            copy.copyMemory(from: bytes.baseAddress!, byteCount: pageSize)
            pointers[count] = UnsafeRawPointer(copy)
        }
        pages[count] = page
        count += 1
    }

    /// Hashes every page of the batch with `function`.
    @inline(__always)
    func hash(with function: PageHashFunction) {
        function.hash(pages: pointers, count: count, length: pageSize, into: hashes)
    }

    /// The bytes of page `index` of the batch.
    @inline(__always)
    func bytes(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointers[index], count: pageSize) }

    /// The index the caller gave page `index` of the batch.
    @inline(__always)
    func page(_ index: Int) -> Int { pages[index] }

    /// The hash of page `index` of the batch, after ``hash(with:)``.
    @inline(__always)
    func hash(_ index: Int) -> UInt64 { hashes[index] }

    /// Empties the batch.
    @inline(__always)
    mutating func removeAll() { count = 0 }
}
