@testable import KSMScope

/// An independent reference for the scan: groups pages by their bytes (no hashing at all) and
/// replays, copy by copy in scan order, how ksmd fills KSM pages once checksums are stable:
/// a copy joins a KSM page with room, else waits in the unstable tree, and two waiting copies
/// form a new KSM page. Written for clarity, not speed.
struct BruteForceKSM {
    let maxPageSharing: Int
    let useZeroPages: Bool
    let pageSize: Int

    struct Image: Equatable {
        var pages = 0, zero = 0, unique = 0, selfShared = 0, crossShared = 0
        var rmapItems = 0, merging = 0, ksmZero = 0
    }

    struct Result: Equatable {
        var pages = 0, zeroPages = 0, distinct = 0
        var shared = 0, sharing = 0, unmerged = 0, ksmZero = 0, chains = 0, dups = 0, rmapItems = 0
        var images: [Image] = []
        var intraImageSaved = 0, zeroOnlySaved = 0
        var generalProfit: Int { (sharing + ksmZero) * pageSize - rmapItems * 64 }
        let pageSize: Int
    }

    /// Replays merging of copies (each an image index) in scan order; returns KSM pages, the
    /// merged flag of each copy.
    func replay(_ copies: Int) -> (ksmPages: [Int], merged: [Bool]) {
        var ksmPages: [Int] = []  // mappings per KSM page
        var merged = Array(repeating: false, count: copies)
        var waiting: Int? = nil
        for copy in 0..<copies {
            // Prefer the fullest KSM page that still has room, as stable_node_dup() does.
            if let target = ksmPages.indices.filter({ ksmPages[$0] < maxPageSharing }).max(by: { ksmPages[$0] < ksmPages[$1] }) {
                ksmPages[target] += 1
                merged[copy] = true
            } else if let partner = waiting {
                ksmPages.append(2)
                merged[partner] = true
                merged[copy] = true
                waiting = nil
            } else {
                waiting = copy
            }
        }
        return (ksmPages, merged)
    }

    func run(_ images: [[UInt8]]) -> Result {
        var result = Result(pageSize: pageSize)
        result.images = Array(repeating: Image(), count: images.count)
        // Content -> copies as (image) in scan order.
        var groups: [[UInt8]: [Int]] = [:]
        var order: [[UInt8]] = []
        for (index, image) in images.enumerated() {
            let count = image.count / pageSize
            result.images[index].pages = count
            result.pages += count
            for page in 0..<count {
                let bytes = Array(image[page * pageSize..<(page + 1) * pageSize])
                if groups[bytes] == nil { order.append(bytes) }
                groups[bytes, default: []].append(index)
            }
        }
        let zero = [UInt8](repeating: 0, count: pageSize)
        result.distinct = groups.count
        for content in order {
            let copies = groups[content]!
            let isZero = content == zero
            let holders = Set(copies)
            var perImage: [Int: Int] = [:]
            for image in copies { perImage[image, default: 0] += 1 }
            for (image, count) in perImage {
                if isZero { result.images[image].zero += count }
                if copies.count == 1 { result.images[image].unique += count }
                else if holders.count == 1 { result.images[image].selfShared += count }
                else { result.images[image].crossShared += count }
                result.intraImageSaved += isZero && useZeroPages ? count : saved(replay(count).ksmPages)
            }
            if isZero {
                result.zeroPages += copies.count
                result.zeroOnlySaved += useZeroPages ? copies.count : saved(replay(copies.count).ksmPages)
            }
            if isZero && useZeroPages {
                result.ksmZero += copies.count
                for image in copies { result.images[image].ksmZero += 1 }
                continue
            }
            let (ksmPages, merged) = replay(copies.count)
            result.rmapItems += copies.count
            result.shared += ksmPages.count
            result.sharing += saved(ksmPages)
            result.unmerged += merged.filter { !$0 }.count
            if ksmPages.count > 1 {
                result.chains += 1
                result.dups += ksmPages.count
            }
            for (copy, image) in copies.enumerated() {
                result.images[image].rmapItems += 1
                if merged[copy] { result.images[image].merging += 1 }
            }
        }
        return result
    }

    private func saved(_ ksmPages: [Int]) -> Int { ksmPages.reduce(0) { $0 + $1 - 1 } }
}

extension BruteForceKSM.Result {
    /// Checks a scan report against this reference; returns the differing fields.
    func differences(from report: ScanReport) -> [String] {
        var out: [String] = []
        func check(_ name: String, _ mine: Int, _ theirs: Int) { if mine != theirs { out.append("\(name): reference \(mine), scan \(theirs)") } }
        check("pages", pages, report.pages)
        check("zero_pages", zeroPages, report.zeroPages)
        check("distinct_contents", distinct, report.distinctContents)
        check("pages_shared", shared, report.pagesShared)
        check("pages_sharing", sharing, report.pagesSharing)
        check("pages_unmerged", unmerged, report.pagesUnmerged)
        check("ksm_zero_pages", ksmZero, report.ksmZeroPages)
        check("stable_node_chains", chains, report.stableNodeChains)
        check("stable_node_dups", dups, report.stableNodeDups)
        check("rmap_items", rmapItems, report.rmapItems)
        check("general_profit", generalProfit, report.generalProfit)
        check("saved_bytes", (sharing + ksmZero) * pageSize, report.savedBytes)
        check("policies.intra_image", intraImageSaved * pageSize, report.policies.intraImage)
        check("policies.zero_only", zeroOnlySaved * pageSize, report.policies.zeroOnly)
        for (index, (mine, theirs)) in zip(images, report.images).enumerated() {
            check("images[\(index)].pages", mine.pages, theirs.pages)
            check("images[\(index)].zero_pages", mine.zero, theirs.zeroPages)
            check("images[\(index)].unique_pages", mine.unique, theirs.uniquePages)
            check("images[\(index)].self_shared_pages", mine.selfShared, theirs.selfSharedPages)
            check("images[\(index)].cross_shared_pages", mine.crossShared, theirs.crossSharedPages)
            check("images[\(index)].ksm_rmap_items", mine.rmapItems, theirs.ksmRmapItems)
            check("images[\(index)].ksm_merging_pages", mine.merging, theirs.ksmMergingPages)
            check("images[\(index)].ksm_zero_pages", mine.ksmZero, theirs.ksmZeroPages)
            check(
                "images[\(index)].ksm_process_profit", (mine.merging + mine.ksmZero) * pageSize - mine.rmapItems * 64,
                theirs.ksmProcessProfit)
        }
        if images.count != report.images.count { out.append("image count \(images.count) vs \(report.images.count)") }
        return out
    }
}
