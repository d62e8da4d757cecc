import BF16MicroKernel

/// The arithmetic of a matrix product: fp32 throughout, or bf16 inputs (rounded to nearest even)
/// with fp32 accumulation and an fp32 result — the mixed precision of `torch.autocast`.
public enum Precision: String, Sendable, CaseIterable {
    case fp32, bf16
}

/// bf16 support: the CPU check, rounding, and the packing that feeds `vdpbf16ps`.
public enum BF16 {
    /// Whether this CPU and OS run AVX512-BF16 (checked once).
    public static let isSupported = minillm_bf16_supported() != 0

    /// `requested`, or `.fp32` where this CPU cannot run bf16.
    public static func available(_ requested: Precision) -> Precision {
        requested == .bf16 && !isSupported ? .fp32 : requested
    }

    /// The bf16 bits of `x`, rounded to nearest even (as `vcvtneps2bf16` and PyTorch do); a NaN
    /// stays a (quiet) NaN instead of rounding into infinity.
    @inline(__always)
    public static func bits(_ x: Float) -> UInt32 {
        let b = x.bitPattern
        if b & 0x7FFF_FFFF > 0x7F80_0000 { return (b >> 16) | 0x0040 }
        return (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16
    }

    /// The float a bf16 value stands for.
    @inline(__always)
    public static func value(_ bits: UInt32) -> Float { Float(bitPattern: bits << 16) }

    /// `x` rounded to bf16 and back.
    @inline(__always)
    public static func rounded(_ x: Float) -> Float { value(bits(x)) }

    /// One 32-bit word of a packed panel: the pair (k, k+1) of a row or column, k in the low half.
    @inline(__always)
    static func pair(_ first: Float, _ second: Float) -> UInt32 { bits(first) | bits(second) << 16 }
}

// Packed bf16 panels use the fp32 panels' memory and block order with k in pairs: a panel row
// holds one 32-bit word (two bf16) per column instead of one float, so a block takes half the room.
// Words are written through raw pointers: the memory stays bound to Float for the fp32 path.
extension Gemm {
    static func packBPairs(
        _ b: StridedMatrix, kb: Int, panel: Int, k: Int, n: Int, panels: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let k0 = kb * kc
        let kcb = min(kc, k - k0)
        let pairs = (kcb + 1) / 2
        let dst = UnsafeMutableRawPointer(packed + k0 / 2 * panels * nr + panel * pairs * nr)
        let n0 = panel * nr
        let cols = min(nr, n - n0)
        for p in 0..<pairs {
            let out = dst + p * nr * 4
            let first = b.base + (k0 + 2 * p) * b.rowStride + n0 * b.colStride
            if 2 * p + 1 < kcb {
                let second = first + b.rowStride
                if b.colStride == 1 {
                    for j in 0..<cols { out.storeBytes(of: BF16.pair(first[j], second[j]), toByteOffset: 4 * j, as: UInt32.self) }
                } else {
                    for j in 0..<cols {
                        let offset = j * b.colStride
                        out.storeBytes(of: BF16.pair(first[offset], second[offset]), toByteOffset: 4 * j, as: UInt32.self)
                    }
                }
            } else {
                for j in 0..<cols { out.storeBytes(of: BF16.pair(first[j * b.colStride], 0), toByteOffset: 4 * j, as: UInt32.self) }
            }
            for j in cols..<nr { out.storeBytes(of: 0, toByteOffset: 4 * j, as: UInt32.self) }
        }
    }

    static func packAPairs(
        _ a: StridedMatrix, i0: Int, rows: Int, k0: Int, kcb: Int, into dst: UnsafeMutablePointer<Float>
    ) {
        let pairs = (kcb + 1) / 2
        let raw = UnsafeMutableRawPointer(dst)
        for panel in 0..<Partition.chunks(rows, of: mr) {
            let out = raw + panel * pairs * mr * 4
            let r0 = panel * mr
            let valid = min(mr, rows - r0)
            for r in 0..<mr {
                guard r < valid else {
                    for p in 0..<pairs { out.storeBytes(of: 0, toByteOffset: 4 * (p * mr + r), as: UInt32.self) }
                    continue
                }
                let src = a.base + (i0 + r0 + r) * a.rowStride + k0 * a.colStride
                let step = a.colStride
                for p in 0..<pairs {
                    let second: Float = 2 * p + 1 < kcb ? src[(2 * p + 1) * step] : 0
                    out.storeBytes(of: BF16.pair(src[2 * p * step], second), toByteOffset: 4 * (p * mr + r), as: UInt32.self)
                }
            }
        }
    }

    /// The columns a tile with `cols` valid ones computes: in fp32 only the 16-column slabs they
    /// reach (same bytes, less work at a right edge), in bf16 always all 64.
    @inline(__always)
    static func computedColumns(_ precision: Precision, _ cols: Int) -> Int {
        precision == .fp32 ? (cols + 15) / 16 * 16 : nr
    }

    /// The 6x64 tile in the call's arithmetic, `columns` (from `computedColumns`) wide; `depth` is
    /// k steps in fp32, k pairs in bf16.
    @inline(__always)
    static func tileKernel(
        _ precision: Precision, depth: Int, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, start: GemmTileStart, bias: UnsafePointer<Float>?, columns: Int
    ) {
        switch precision {
        case .fp32 where wideTile && columns == nr:
            gemmMicroKernel(kc: depth, a: a, b: b, c: c, ldc: ldc, start: start, bias: bias)
        case .fp32:
            gemmMicroKernelSlabs(kc: depth, a: a, b: b, c: c, ldc: ldc, start: start, bias: bias, slabs: columns / 16)
        case .bf16:
            let code: Int32 = switch start { case .zero: 0; case .bias: 1; case .accumulate: 2 }
            minillm_bf16_tile_6x64(depth, UnsafePointer(OpaquePointer(a)), UnsafePointer(OpaquePointer(b)), c, ldc, code, bias)
        }
    }
}
