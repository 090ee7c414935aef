import Foundation

/// A synthetic guest fleet, as read from a spec file: operating systems, shared libraries and
/// guest types with counts, sizes, sharing parameters and churn.
///
/// The JSON format is strict: every key is known (`comment` is allowed in every object for
/// documentation), every value is checked, and errors name the key path, for example
/// `fleet[1].memory_mib: must be positive (got -3)`. Sizes are in MiB and may be fractional;
/// they become whole pages after multiplying by the generation scale.
public struct FleetSpec: Sendable, Equatable {
    /// The document's `comment`, if any.
    public var comment: String?
    /// The page size images are made of (`page_size`, default 4096).
    public var pageSize: PageSize
    /// Operating-system versions guests run (`os`).
    public var operatingSystems: [OperatingSystem]
    /// Shared libraries and application binaries guests load (`libraries`).
    public var libraries: [Library]
    /// Guest types with their counts (`fleet`).
    public var fleet: [GuestType]

    /// One operating-system version: what it puts into every guest that runs it.
    public struct OperatingSystem: Sendable, Equatable {
        /// Unique name, e.g. `ubuntu-22.04` (`name`).
        public var name: String
        /// Family, e.g. `linux` or `windows` (`family`); versions of one family share a part.
        public var family: String
        /// Kernel code, in MiB (`kernel_text_mib`).
        public var kernelTextMiB: Double
        /// Kernel data, in MiB (`kernel_data_mib`).
        public var kernelDataMiB: Double
        /// Page cache of the files every guest of this OS reads, in MiB (`page_cache_mib`).
        public var pageCacheMiB: Double
        /// Share of kernel data that is each guest's own (`kernel_data_private`, default 0.5).
        public var kernelDataPrivate: Double = 0.5
        /// Share of the page cache that is each guest's own (`page_cache_private`, default 0.2).
        public var pageCachePrivate: Double = 0.2
        /// Share of the OS's common pages identical in every version of the family
        /// (`family_shared`, default 0.1).
        public var familyShared: Double = 0.1
        /// Share of the OS's common pages identical in every OS of every family
        /// (`global_shared`, default 0).
        public var globalShared: Double = 0

        /// Creates an OS version.
        public init(name: String, family: String, kernelTextMiB: Double, kernelDataMiB: Double, pageCacheMiB: Double) {
            self.name = name
            self.family = family
            self.kernelTextMiB = kernelTextMiB
            self.kernelDataMiB = kernelDataMiB
            self.pageCacheMiB = pageCacheMiB
        }
    }

    /// A shared library or application binary: the same code in every guest that loads it.
    public struct Library: Sendable, Equatable {
        /// Unique name (`name`).
        public var name: String
        /// Resident size in MiB (`mib`).
        public var mib: Double

        /// Creates a library.
        public init(name: String, mib: Double) {
            self.name = name
            self.mib = mib
        }
    }

    /// Address-space layout randomisation: code that holds absolute pointers differs by load
    /// address.
    public struct ASLR: Sendable, Equatable {
        /// Share of each code region (kernel text, every library) that holds relocated pointers
        /// (`fraction`, default 0: position-independent code only).
        public var fraction: Double = 0
        /// Distinct load layouts among the type's guests (`layouts`); guest `i` uses layout
        /// `i % layouts`. 0 (the default) gives every guest a layout of its own.
        public var layouts: Int = 0
        /// How relocated pages differ from the originals (`style`, default `pointers`).
        public var style: PageContent.VariantStyle = .pointers

        /// No randomisation.
        public init() {}
    }

    /// What a guest type's writes put into pages.
    public struct WriteMix: Sendable, Equatable {
        /// Share of writes that store fresh, unique data (`fresh`).
        public var fresh: Double = 1
        /// Share of writes that zero the page (`zero`).
        public var zero: Double = 0
        /// Share of writes that store the bytes the page already holds (`same`).
        public var same: Double = 0

        /// Only fresh data.
        public init() {}
    }

    /// Page writes over time, for copy-on-write studies with `--timeline`.
    public struct Churn: Sendable, Equatable {
        /// Page writes per second (`pages_per_second`), scaled like sizes.
        public var pagesPerSecond: Double
        /// Share of the writable pages that form the hot set (`hot_fraction`, default 0.1).
        public var hotFraction: Double = 0.1
        /// Share of writes that go to the hot set (`hot_writes`, default 0.9).
        public var hotWrites: Double = 0.9
        /// What is written (`write_mix`).
        public var writeMix = WriteMix()

        /// Churn at `pagesPerSecond`.
        public init(pagesPerSecond: Double) { self.pagesPerSecond = pagesPerSecond }
    }

    /// One kind of guest and how many of them run.
    public struct GuestType: Sendable, Equatable {
        /// Unique name; guests are named `NAME-1`, `NAME-2`, … (`name`).
        public var name: String
        /// Number of guests (`count`).
        public var count: Int
        /// Memory of each guest, in MiB (`memory_mib`).
        public var memoryMiB: Double
        /// The OS version's name (`os`).
        public var os: String
        /// Names of the libraries loaded (`libraries`, default none).
        public var libraries: [String] = []
        /// Share of memory that is free and zeroed (`zero_fraction`, default 0.05).
        public var zeroFraction: Double = 0.05
        /// Share of memory that is free but never zeroed, holding stale data
        /// (`stale_fraction`, default 0.15).
        public var staleFraction: Double = 0.15
        /// Share of stale pages that repeat another stale page of the same guest
        /// (`stale_repeat`, default 0).
        public var staleRepeat: Double = 0
        /// Share of anonymous memory (what is left after OS, libraries and free memory)
        /// duplicated inside the guest (`self_sharing`, default 0.05).
        public var selfSharing: Double = 0.05
        /// Copies of each duplicated content (`self_sharing_copies`, default 4, at least 2).
        public var selfSharingCopies: Int = 4
        /// Whether regions are scattered over physical memory in 64 KiB runs rather than laid
        /// out one after the other (`interleave`, default true).
        public var interleave = true
        /// Load-address randomisation (`aslr`).
        public var aslr = ASLR()
        /// Page writes over time (`churn`), if any.
        public var churn: Churn?

        /// Creates a guest type with default parameters.
        public init(name: String, count: Int, memoryMiB: Double, os: String) {
            self.name = name
            self.count = count
            self.memoryMiB = memoryMiB
            self.os = os
        }
    }

    /// Creates a spec from parts (already checked by the caller; ``FleetPlan`` checks again).
    public init(
        comment: String? = nil, pageSize: PageSize = .default, operatingSystems: [OperatingSystem],
        libraries: [Library] = [], fleet: [GuestType]
    ) {
        self.comment = comment
        self.pageSize = pageSize
        self.operatingSystems = operatingSystems
        self.libraries = libraries
        self.fleet = fleet
    }

    /// Reads and checks the spec file at `path`.
    ///
    /// - Throws: ``FleetSpecError`` naming the file, or the key path of the first problem.
    public init(contentsOfFile path: String) throws(FleetSpecError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: isFolder.boolValue ? "is a folder" : "permission denied or I/O error")
        }
        do {
            try self.init(json: data)
        } catch .invalidJSON(let reason) {
            throw .unreadable(path: path, reason: "not valid JSON: \(reason)")
        }
    }
}
