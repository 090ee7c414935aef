#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CKSMSupport
import Foundation

/// A child process that holds one image's pages in private anonymous memory marked
/// `MADV_MERGEABLE`, so that the real ksmd scans it as one registered process.
///
/// The child only copies and waits; it dies with the parent. Holders registered one after the
/// other are scanned by ksmd in that order.
public final class PageHolder: Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// The image it holds.
    public let path: String
    /// Where the pages are in the child's address space.
    public let address: UInt
    /// How many bytes it holds.
    public let length: Int

    /// Starts a child holding a copy of `bytes` (whole pages only).
    public init(path: String, bytes: UnsafeRawBufferPointer) throws(KernelError) {
        var address: UInt = 0
        let pid = ksmscope_spawn_page_holder(bytes.baseAddress, bytes.count, &address)
        guard pid > 0 else { throw .cannotHold(path: path, reason: String(cString: strerror(errno))) }
        self.pid = pid
        self.path = path
        self.address = address
        self.length = bytes.count
    }

    /// Writes `bytes` at `offset` of the held pages, as the guest would: through
    /// `/proc/PID/mem`, so a write to a merged page breaks it by copy-on-write in the child.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(KernelError) {
        let path = "/proc/\(pid)/mem"
        guard offset >= 0, offset + bytes.count <= length else {
            throw .cannotWrite(path: path, value: "\(bytes.count) bytes at \(offset)", reason: "outside the held pages")
        }
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, value: "pages", reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(Int(address) + offset + done))
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw .cannotWrite(path: path, value: "\(bytes.count) bytes at \(offset)", reason: String(cString: strerror(errno)))
            }
            done += written
        }
    }

    /// Starts a child holding the pages of `source`, copied out page by page when the source
    /// has no single mapping to copy from.
    public convenience init(source: any PageSource) throws {
        let length = source.pageCount * source.pageSize.bytes
        if let raw = source as? RawImage {
            try self.init(path: source.path, bytes: UnsafeRawBufferPointer(rebasing: raw.file.bytes[0..<length]))
            return
        }
        let staging = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 4096)
        defer { staging.deallocate() }
        let reader = try source.makeReader()
        for index in 0..<source.pageCount {
            let page = try reader.page(index)
            UnsafeMutableRawBufferPointer(rebasing: staging[index * page.count..<(index + 1) * page.count])
                .copyMemory(from: page)
        }
        try self.init(path: source.path, bytes: UnsafeRawBufferPointer(staging))
    }

    /// Reads the child's `/proc/PID/ksm_stat`.
    public func ksmStat() throws(KernelError) -> [String: Int] {
        let path = "/proc/\(pid)/ksm_stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = Int(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }

    /// Kills the child and reaps it.
    public func end() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
