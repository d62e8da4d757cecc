import BF16MicroKernel

/// A read-only matrix with arbitrary element strides: element (i, j) is at `base[i*rowStride + j*colStride]`.
/// Transposes are just swapped strides; packing absorbs them.
public struct StridedMatrix {
    public let base: UnsafePointer<Float>
    public let rowStride: Int
    public let colStride: Int

    public init(_ base: UnsafePointer<Float>, rowStride: Int, colStride: Int = 1) {
        self.base = base
        self.rowStride = rowStride
        self.colStride = colStride
    }

    /// The transpose of this matrix.
    public var transposed: StridedMatrix { .init(base, rowStride: colStride, colStride: rowStride) }
}

/// How C starts before `A·B` is added: overwritten, with a bias row added, or accumulated into.
public enum GemmInitial {
    case overwrite
    case bias(UnsafePointer<Float>)
    case accumulate
}

/// Cache-blocked, register-tiled fp32 matrix multiply `C (+)= A·B` on a worker pool.
///
/// B is packed once per call into [k-block][64-column panel] order; each task owns a tile of
/// 96 rows of C and as many columns as keeps every worker busy (wide tiles pack each A block
/// fewer times), packs its A block per k-block and runs the 6x64 micro-kernel over it.
/// Every C element is summed over k in ascending order, k-block by k-block, whatever the tile
/// shape, so results do not depend on the thread count. One instance owns its packing buffers:
/// calls on it must not overlap.
///
/// In `.bf16` the same blocks are packed as bf16 pairs of k (BF16Gemm.swift) and the tile is
/// `vdpbf16ps`'s: products of bf16-rounded inputs accumulated in fp32, C stays fp32.
public final class Gemm: @unchecked Sendable {
    public static let mr = 6, nr = 64, mc = 96, kc = 256
    /// Whether fp32 tiles run as one 24-accumulator kernel (AVX-512's 32 registers) or as four
    /// 6x16 slabs (AVX2's 16); both give the same bytes. Native builds target the CPU they run on.
    #if MINILLM_PORTABLE
    static let wideTile = false
    #else
    static let wideTile = minillm_avx512f_supported() != 0
    #endif

    public let pool: WorkerPool
    /// The arithmetic of calls that do not name one; `.bf16` only where `BF16.isSupported`.
    public let precision: Precision
    private let packedB = FloatBuffer(count: 0)
    private let scratch: WorkerScratch

    public init(pool: WorkerPool, precision: Precision = .fp32) {
        precondition(Self.mc % Self.mr == 0, "Gemm: the row block must hold whole micro-panels")
        self.pool = pool
        self.precision = BF16.available(precision)
        scratch = WorkerScratch(workers: pool.threadCount)
        scratch.reserve(perWorker: Self.mc * Self.kc + Self.mr * Self.nr + Self.nr)
    }

    /// Reserves packing memory for any product with this reduction size and output width, so
    /// that later calls never allocate.
    public func reserve(k: Int, n: Int) {
        packedB.reserve(Partition.chunks(n, of: Self.nr) * Self.nr * k)
    }

    /// C[m×n] (+)= A[m×k] · B[k×n]; C rows are `ldc` apart. `precision` overrides the instance's.
    public func multiply(
        m: Int, n: Int, k: Int, a: StridedMatrix, b: StridedMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int, initial: GemmInitial, precision: Precision? = nil
    ) {
        let precision = precision.map(BF16.available) ?? self.precision
        guard m > 0, n > 0 else { return }
        if k == 0 {
            zeroProduct(m: m, n: n, c: c, ldc: ldc, initial: initial)
            return
        }
        reserve(k: k, n: n)
        let panels = Partition.chunks(n, of: Self.nr)
        let kBlocks = Partition.chunks(k, of: Self.kc)
        let packed = packedB.pointer
        let panelGroups = Partition.chunks(panels, of: 8)
        pool.run(kBlocks * panelGroups) { task, _ in
            let kb = task / panelGroups
            let group = task % panelGroups
            for panel in Partition.range(group, of: 8, in: panels) {
                switch precision {
                case .fp32: Self.packB(b, kb: kb, panel: panel, k: k, n: n, panels: panels, into: packed)
                case .bf16: Self.packBPairs(b, kb: kb, panel: panel, k: k, n: n, panels: panels, into: packed)
                }
            }
        }
        let mBlocks = Partition.chunks(m, of: Self.mc)
        let panelsPerBlock = Partition.chunks(panels, of: min(panels, Partition.chunks(4 * pool.threadCount, of: mBlocks)))
        let nBlocks = Partition.chunks(panels, of: panelsPerBlock)
        let scratch = self.scratch
        pool.run(mBlocks * nBlocks) { task, worker in
            let mb = task / nBlocks
            let nb = task % nBlocks
            let work = scratch.pointer(worker: worker)
            Self.computeTile(
                mb: mb, panelRange: Partition.range(nb, of: panelsPerBlock, in: panels), m: m, n: n, k: k,
                a: a, packedB: packed, panels: panels, precision: precision,
                c: c, ldc: ldc, initial: initial, packedA: work,
                tile: work + Self.mc * Self.kc, biasTile: work + Self.mc * Self.kc + Self.mr * Self.nr)
        }
    }

    private func zeroProduct(m: Int, n: Int, c: UnsafeMutablePointer<Float>, ldc: Int, initial: GemmInitial) {
        for i in 0..<m {
            let row = c + i * ldc
            switch initial {
            case .overwrite: row.update(repeating: 0, count: n)
            case .bias(let bias): row.update(from: bias, count: n)
            case .accumulate: break
            }
        }
    }

    // MARK: packing

    private static func packB(
        _ b: StridedMatrix, kb: Int, panel: Int, k: Int, n: Int, panels: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let k0 = kb * kc
        let kcb = min(kc, k - k0)
        let dst = packed + k0 * panels * nr + panel * kcb * nr
        let n0 = panel * nr
        let cols = min(nr, n - n0)
        if b.colStride == 1 {
            for kk in 0..<kcb {
                let src = b.base + (k0 + kk) * b.rowStride + n0
                let out = dst + kk * nr
                out.update(from: src, count: cols)
                if cols < nr { (out + cols).update(repeating: 0, count: nr - cols) }
            }
        } else {
            if cols < nr {
                for kk in 0..<kcb { (dst + kk * nr + cols).update(repeating: 0, count: nr - cols) }
            }
            for jj in 0..<cols {
                let src = b.base + (n0 + jj) * b.colStride + k0 * b.rowStride
                for kk in 0..<kcb { dst[kk * nr + jj] = src[kk * b.rowStride] }
            }
        }
    }

    private static func packA(
        _ a: StridedMatrix, i0: Int, rows: Int, k0: Int, kcb: Int, into dst: UnsafeMutablePointer<Float>
    ) {
        let microPanels = Partition.chunks(rows, of: mr)
        for p in 0..<microPanels {
            let out = dst + p * kcb * mr
            let r0 = p * mr
            let valid = min(mr, rows - r0)
            if valid < mr {
                for kk in 0..<kcb { (out + kk * mr + valid).update(repeating: 0, count: mr - valid) }
            }
            if a.rowStride == 1 {
                for kk in 0..<kcb {
                    let src = a.base + (k0 + kk) * a.colStride + i0 + r0
                    for r in 0..<valid { out[kk * mr + r] = src[r] }
                }
            } else {
                for r in 0..<valid {
                    let src = a.base + (i0 + r0 + r) * a.rowStride + k0 * a.colStride
                    if a.colStride == 1 {
                        for kk in 0..<kcb { out[kk * mr + r] = src[kk] }
                    } else {
                        for kk in 0..<kcb { out[kk * mr + r] = src[kk * a.colStride] }
                    }
                }
            }
        }
    }

    // MARK: one C tile

    private static func computeTile(
        mb: Int, panelRange: Range<Int>, m: Int, n: Int, k: Int, a: StridedMatrix,
        packedB: UnsafeMutablePointer<Float>, panels: Int, precision: Precision,
        c: UnsafeMutablePointer<Float>, ldc: Int, initial: GemmInitial,
        packedA: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>,
        biasTile: UnsafeMutablePointer<Float>
    ) {
        let i0 = mb * mc
        let rows = min(mc, m - i0)
        let kBlocks = Partition.chunks(k, of: kc)
        for kb in 0..<kBlocks {
            let k0 = kb * kc
            let kcb = min(kc, k - k0)
            // In bf16 a packed row of k holds pairs: half the floats' room, same layout.
            let depth = precision == .fp32 ? kcb : (kcb + 1) / 2
            switch precision {
            case .fp32: packA(a, i0: i0, rows: rows, k0: k0, kcb: kcb, into: packedA)
            case .bf16: packAPairs(a, i0: i0, rows: rows, k0: k0, kcb: kcb, into: packedA)
            }
            for panel in panelRange {
                let bPanel = packedB + (precision == .fp32 ? k0 : k0 / 2) * panels * nr + panel * depth * nr
                let j0 = panel * nr
                let cols = min(nr, n - j0)
                for p in 0..<Partition.chunks(rows, of: mr) {
                    let r0 = p * mr
                    let valid = min(mr, rows - r0)
                    let cTile = c + (i0 + r0) * ldc + j0
                    var start = GemmTileStart.accumulate
                    var bias: UnsafePointer<Float>? = nil
                    if kb == 0 {
                        switch initial {
                        case .overwrite: start = .zero
                        case .bias(let b): start = .bias; bias = b + j0
                        case .accumulate: break
                        }
                    }
                    let aPanel = packedA + p * depth * mr
                    // A tile that computes exactly its valid part goes straight to C, even at the right edge.
                    let width = computedColumns(precision, cols)
                    if valid == mr && width == cols {
                        tileKernel(precision, depth: depth, a: aPanel, b: bPanel, c: cTile, ldc: ldc, start: start, bias: bias,
                                   columns: width)
                        continue
                    }
                    // Other edge tiles: run the kernel on a padded copy, then write back the valid part.
                    if start == .accumulate {
                        for r in 0..<valid { (tile + r * nr).update(from: cTile + r * ldc, count: cols) }
                    }
                    if let b = bias {
                        biasTile.update(from: b, count: cols)
                        bias = UnsafePointer(biasTile)
                    }
                    tileKernel(precision, depth: depth, a: aPanel, b: bPanel, c: tile, ldc: nr, start: start, bias: bias,
                               columns: width)
                    for r in 0..<valid { (cTile + r * ldc).update(from: tile + r * nr, count: cols) }
                }
            }
        }
    }
}
