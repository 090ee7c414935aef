#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LiveProcessImage {
    /// Turns never-touched base pages (numbered over `mappings`) into never-touched image pages.
    static func untouchedPages(_ bases: PageBits, of mappings: [ProcessMapping], pageSize: Int) -> PageBits? {
        guard !bases.isEmpty else { return nil }
        let basePage = Int(sysconf(Int32(_SC_PAGESIZE)))
        var pages = PageBits(count: mappings.reduce(0) { $0 + $1.size / pageSize })
        var firstBase = 0
        var firstPage = 0
        for mapping in mappings {
            let count = mapping.size / pageSize
            for page in 0..<count {
                let low = firstBase + page * pageSize / basePage
                let high = firstBase + ((page + 1) * pageSize - 1) / basePage
                if (low...high).allSatisfy({ bases[$0] }) { pages.insert(firstPage + page) }
            }
            firstBase += (mapping.size + basePage - 1) / basePage
            firstPage += count
        }
        return pages
    }
}
