/// Fixed splits of index ranges into tasks. Splits depend only on sizes, never on thread count.
public enum Partition {
    /// Number of chunks of at most `chunk` items that cover `count` items.
    @inline(__always)
    public static func chunks(_ count: Int, of chunk: Int) -> Int { (count + chunk - 1) / chunk }

    /// The `index`-th chunk of at most `chunk` items within `0..<count`.
    @inline(__always)
    public static func range(_ index: Int, of chunk: Int, in count: Int) -> Range<Int> {
        let start = index * chunk
        return start..<min(count, start + chunk)
    }

    /// A chunk size for row-wise kernels: rows independent of each other, so any split is exact;
    /// this one aims for about `work` floats touched per task.
    @inline(__always)
    public static func rowsPerTask(rows: Int, width: Int, work: Int = 32_768) -> Int {
        max(1, min(rows, work / max(width, 1)))
    }
}
