import Testing

@testable import KSMScope

@Suite("PageSize")
struct PageSizeTests {
    @Test("accepts powers of two from 512", arguments: [512, 1024, 4096, 16384, 65536])
    func accepts(bytes: Int) throws {
        #expect(try PageSize(bytes: bytes).bytes == bytes)
    }

    @Test("rejects other sizes", arguments: [0, -4096, 256, 511, 4095, 4097, 6144])
    func rejects(bytes: Int) {
        #expect(throws: PageSizeError(bytes: bytes)) { try PageSize(bytes: bytes) }
    }
}
