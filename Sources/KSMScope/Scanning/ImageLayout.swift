/// Where each image's pages sit in the scan's single global page numbering.
///
/// Pages are numbered in scan order, images in input order and pages in address order, the
/// order in which ksmd would visit them if each image were one registered process.
public struct ImageLayout: Sendable, Equatable {
    /// The first global page of each image, plus the total page count at the end.
    public let starts: [Int]

    /// Lays out images of the given page counts one after another.
    public init(pageCounts: [Int]) {
        var starts = [0]
        starts.reserveCapacity(pageCounts.count + 1)
        for count in pageCounts { starts.append(starts[starts.count - 1] + count) }
        self.starts = starts
    }

    /// The number of images.
    public var imageCount: Int { starts.count - 1 }
    /// The number of pages in all images.
    public var totalPages: Int { starts[starts.count - 1] }

    /// The pages of one image.
    public func pages(of image: Int) -> Range<Int> { starts[image]..<starts[image + 1] }

    /// The image that holds global page `page`.
    public func image(containing page: Int) -> Int {
        // The last start that is <= page, skipping empty images.
        var low = 0
        var high = imageCount - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= page { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
