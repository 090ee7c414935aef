#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's way to the bytes of any scanned page, by global index.
///
/// Images whose reader offers all pages contiguously are addressed by pointer arithmetic.
/// Others go through two readers per image, made on first use, so that two pages can be held
/// at once (a page and the representative it is compared with) even when a format reuses one
/// scratch buffer per reader.
struct PageAccess {
    private let images: [any PageSource]
    private let layout: ImageLayout
    private let pageSize: Int
    private var primary: [(any PageReader)?]
    private var secondary: [(any PageReader)?]
    /// Each image's contiguous pages, once its first reader was made; nil where there are none.
    private var contiguous: [UnsafeRawPointer?]

    init(images: [any PageSource], layout: ImageLayout) {
        self.images = images
        self.layout = layout
        pageSize = images.first?.pageSize.bytes ?? PageSize.default.bytes
        primary = Array(repeating: nil, count: images.count)
        secondary = primary
        contiguous = Array(repeating: nil, count: images.count)
    }

    /// The bytes of global page `page` through the first reader of its image.
    mutating func page(_ page: Int) throws -> UnsafeRawBufferPointer {
        let image = layout.image(containing: page)
        return try self.page(page - layout.starts[image], ofImage: image)
    }

    /// The bytes of page `local` of image `image` through its first reader.
    @inline(__always)
    mutating func page(_ local: Int, ofImage image: Int) throws -> UnsafeRawBufferPointer {
        if let base = contiguous[image] { return UnsafeRawBufferPointer(start: base + local * pageSize, count: pageSize) }
        return try read(local, image: image, secondary: false)
    }

    /// Whether the bytes of image `image`'s pages stay where ``page(_:ofImage:)`` returned them
    /// (a mapped image), rather than in a reader's buffer that its next read overwrites.
    @inline(__always)
    func keepsPages(ofImage image: Int) -> Bool { contiguous[image] != nil }

    /// Whether `bytes` equal global page `other`, read through the second reader of its image.
    @inline(__always)
    mutating func bytes(_ bytes: UnsafeRawBufferPointer, equalPage other: Int) throws -> Bool {
        Self.equal(bytes, try secondPage(other))
    }

    /// Orders global pages `a` and `b` by their bytes.
    mutating func compare(page a: Int, page b: Int) throws -> Int32 {
        let first = try page(a)
        return Self.compare(first, try secondPage(b))
    }

    /// Whether two pages hold the same bytes, compared as the kernel's `memcmp_pages()` does.
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// Orders two pages by their bytes, as the kernel's trees do.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int32 {
        memcmp(a.baseAddress!, b.baseAddress!, min(a.count, b.count))
    }

    /// Global page `page` through the second reader of its image.
    private mutating func secondPage(_ page: Int) throws -> UnsafeRawBufferPointer {
        let image = layout.image(containing: page)
        let local = page - layout.starts[image]
        if let base = contiguous[image] { return UnsafeRawBufferPointer(start: base + local * pageSize, count: pageSize) }
        return try read(local, image: image, secondary: true)
    }

    private mutating func read(_ local: Int, image: Int, secondary second: Bool) throws -> UnsafeRawBufferPointer {
        if let reader = second ? secondary[image] : primary[image] { return try reader.page(local) }
        let reader = try images[image].makeReader()
        if second {
            secondary[image] = reader
        } else {
            primary[image] = reader
            if let all = reader.contiguousPages, all.count >= images[image].pageCount * pageSize {
                contiguous[image] = all.baseAddress
            }
        }
        return try reader.page(local)
    }
}
