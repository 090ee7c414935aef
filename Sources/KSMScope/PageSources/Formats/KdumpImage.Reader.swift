extension KdumpImage {
    /// Reads pages: in place when stored uncompressed in one stretch of the file, else through
    /// per-reader buffers.
    final class Reader: PageReader {
        let image: KdumpImage
        let storage: Storage
        /// Gathers a descriptor that records of a stream split.
        private let descriptorScratch: UnsafeMutableRawBufferPointer
        /// Gathers page data that records of a stream split.
        private let dataScratch: UnsafeMutableRawBufferPointer
        /// The page handed out for descriptors of the shared zero block.
        private let zeroPage: UnsafeMutableRawBufferPointer
        /// Restores compressed pages.
        private let decompressor: PageCompression.Decompressor

        init(image: KdumpImage) {
            self.image = image
            storage = Storage(file: image.file, stream: image.stream)
            let block = image.pageSize.bytes
            descriptorScratch = .allocate(byteCount: KdumpImage.descriptorSize, alignment: 8)
            dataScratch = .allocate(byteCount: block, alignment: 64)
            zeroPage = .allocate(byteCount: block, alignment: 64)
            zeroPage.initializeMemory(as: UInt8.self, repeating: 0)
            decompressor = PageCompression.Decompressor(blockSize: block)
        }

        deinit {
            descriptorScratch.deallocate()
            dataScratch.deallocate()
            zeroPage.deallocate()
        }

        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            let block = image.pageSize.bytes
            let at = image.descriptorStart + index * KdumpImage.descriptorSize
            guard let descriptor = storage.bytes(at..<(at + KdumpImage.descriptorSize), scratch: descriptorScratch)
            else {
                throw storage.error(
                    at: at, "page descriptor #\(index) is not in the dump (the file is cut short)", skippable: true)
            }
            let cursor = ByteCursor(descriptor, base: at, byteOrder: image.byteOrder, path: image.path)
            let offset = try cursor.u64(0, "page_desc.offset")
            let size = Int(try cursor.u32(8, "page_desc.size"))
            let flags = try cursor.u32(12, "page_desc.flags")

            func corrupt(_ problem: String, at location: Int? = nil) -> DumpError {
                storage.error(
                    at: location ?? at, "page #\(index) (descriptor at offset \(at)): " + problem, skippable: true)
            }
            guard flags & ~PageCompression.flagMask == 0 else {
                throw corrupt("unknown page_desc.flags 0x\(String(flags, radix: 16))")
            }
            let method: PageCompression?
            switch flags {
            case 0: method = nil
            default:
                guard let known = PageCompression(rawValue: flags) else {
                    throw corrupt("page_desc.flags 0x\(String(flags, radix: 16)) names more than one compression")
                }
                method = known
            }
            guard let start = Checked.int(offset) else {
                throw corrupt("page data offset \(offset) is beyond any file")
            }
            if method == nil, size == block, start == image.zeroBlock { return UnsafeRawBufferPointer(zeroPage) }
            guard size > 0, size <= block else {
                throw corrupt("page data size \(size) is not between 1 and the block size \(block)")
            }
            guard method != nil || size == block else {
                throw corrupt("uncompressed page data of \(size) bytes; the block size is \(block)")
            }
            guard start >= image.dataStart else {
                throw corrupt(
                    "page data at offset \(start) lies inside the headers, bitmaps or descriptors "
                        + "(data starts at \(image.dataStart))"
                )
            }
            guard let end = Checked.add(start, size), let data = storage.bytes(start..<end, scratch: dataScratch) else {
                throw corrupt("page data (\(size) bytes at offset \(start)) lies past the end of the dump", at: start)
            }
            guard let method else { return data }
            switch decompressor.decompress(data, method) {
            case .success(let page): return page
            case .failure(let failure): throw corrupt(failure.reason, at: start)
            }
        }
    }
}
