#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's way to the bytes of any scanned page, by global index.
///
/// It keeps two readers per image, made on first use, so that two pages can be held at once
/// (a page and the representative it is compared with) even when a format reuses one scratch
/// buffer per reader.
struct PageAccess {
    private let images: [any PageSource]
    private let layout: ImageLayout
    private var primary: [(any PageReader)?]
    private var secondary: [(any PageReader)?]

    init(images: [any PageSource], layout: ImageLayout) {
        self.images = images
        self.layout = layout
        primary = Array(repeating: nil, count: images.count)
        secondary = primary
    }

    /// The bytes of global page `page` through the first reader of its image.
    mutating func page(_ page: Int) throws -> UnsafeRawBufferPointer {
        let image = layout.image(containing: page)
        return try Self.read(page - layout.starts[image], image: image, from: &primary, images)
    }

    /// The bytes of page `local` of image `image` through its first reader.
    mutating func page(_ local: Int, ofImage image: Int) throws -> UnsafeRawBufferPointer {
        try Self.read(local, image: image, from: &primary, images)
    }

    /// Whether `bytes` equal global page `other`, read through the second reader of its image.
    mutating func bytes(_ bytes: UnsafeRawBufferPointer, equalPage other: Int) throws -> Bool {
        let image = layout.image(containing: other)
        let theirs = try Self.read(other - layout.starts[image], image: image, from: &secondary, images)
        return Self.equal(bytes, theirs)
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

    /// Orders global pages `a` and `b` by their bytes.
    mutating func compare(page a: Int, page b: Int) throws -> Int32 {
        let first = try page(a)
        let imageB = layout.image(containing: b)
        let second = try Self.read(b - layout.starts[imageB], image: imageB, from: &secondary, images)
        return Self.compare(first, second)
    }

    private static func read(
        _ local: Int, image: Int, from readers: inout [(any PageReader)?], _ images: [any PageSource]
    ) throws -> UnsafeRawBufferPointer {
        if let reader = readers[image] { return try reader.page(local) }
        let reader = try images[image].makeReader()
        readers[image] = reader
        return try reader.page(local)
    }
}
