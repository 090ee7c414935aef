#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LiveProcessImage {
    /// Copies pages out of the process: sequential requests fill a 1 MiB window with one
    /// `pread`, others read one page, so random comparisons stay cheap. Pages never touched are
    /// not read but handed out as zeros, which is what reading them would give: reading would
    /// map the zero page into the process and copy zeros, for every idle page of a large guest.
    final class Reader: PageReader {
        let memory: ProcessMemory
        let runs: [Run]
        let untouched: PageBits?
        let zero: UnsafeMutableRawBufferPointer
        let pageSize: Int
        let path: String
        /// The window's capacity in pages.
        let capacity: Int
        let window: UnsafeMutableRawBufferPointer
        /// The image page in the window's first slot, and how many pages it holds.
        var first = 0
        var held = 0
        /// The page after the last one asked for.
        var next = -1

        /// The window's size in bytes.
        static let windowBytes = 1 << 20

        init(memory: ProcessMemory, runs: [Run], untouched: PageBits?, pageSize: Int, path: String) {
            self.memory = memory
            self.runs = runs
            self.untouched = untouched
            self.pageSize = pageSize
            self.path = path
            capacity = max(1, Self.windowBytes / pageSize)
            window = .allocate(byteCount: capacity * pageSize, alignment: 4096)
            zero = .allocate(byteCount: pageSize, alignment: 4096)
            zero.initializeMemory(as: UInt8.self, repeating: 0)
        }

        deinit {
            window.deallocate()
            zero.deallocate()
        }

        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            let sequential = index == next
            next = index + 1
            if index < first || index >= first + held {
                if let untouched, untouched[index] { return UnsafeRawBufferPointer(zero) }
                let run = runs[run(containing: index)]
                let offset = index - run.firstPage
                var pages = sequential ? min(capacity, run.pages - offset) : 1
                if let untouched, let gap = (index + 1..<index + pages).first(where: { untouched[$0] }) {
                    pages = gap - index
                }
                try fill(from: index, address: run.address + offset * pageSize, pages: pages)
            }
            let start = (index - first) * pageSize
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[start..<start + pageSize])
        }

        /// Reads `pages` pages from `address` into the window, as image page `index` on; keeps
        /// what a short read gave when it covers page `index`.
        private func fill(from index: Int, address: Int, pages: Int) throws {
            held = 0
            let bytes = UnsafeMutableRawBufferPointer(rebasing: window[0..<pages * pageSize])
            let got: Int
            do {
                got = try ProcFiles.readFully(memory.descriptor, into: bytes, at: address)
            } catch {
                if pages > 1 { return try fill(from: index, address: address, pages: 1) }
                throw DumpError(
                    path: path, offset: index * pageSize,
                    problem: "cannot read address 0x\(String(address, radix: 16)): \(error.reason) (the process changed or unmapped this memory while it was read)",
                    skippable: true)
            }
            guard got >= pageSize else {
                if pages > 1, got == 0 { return try fill(from: index, address: address, pages: 1) }
                throw DumpError(
                    path: path, offset: index * pageSize,
                    problem: "cannot read address 0x\(String(address, radix: 16)): the process exited or unmapped this memory during the scan",
                    skippable: true)
            }
            first = index
            held = got / pageSize
        }

        /// The run holding image page `index`.
        private func run(containing index: Int) -> Int {
            var low = 0
            var high = runs.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if runs[middle].firstPage <= index { low = middle } else { high = middle - 1 }
            }
            return low
        }
    }
}
