/// The 6x64 register tile at the heart of every matmul: 24 `SIMD16<Float>` accumulators,
/// one broadcast of A and 4 vector loads of B per row and k step. `a` is a packed panel
/// ([k][6]), `b` a packed panel ([k][64]); C rows are `ldc` apart.
@inline(__always)
func gemmMicroKernel(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, start: GemmTileStart, bias: UnsafePointer<Float>?
) {
    typealias V = SIMD16<Float>
    let cr = UnsafeMutableRawPointer(c)
    let stride = ldc * 4
    var c00 = V(), c01 = V(), c02 = V(), c03 = V()
    var c10 = V(), c11 = V(), c12 = V(), c13 = V()
    var c20 = V(), c21 = V(), c22 = V(), c23 = V()
    var c30 = V(), c31 = V(), c32 = V(), c33 = V()
    var c40 = V(), c41 = V(), c42 = V(), c43 = V()
    var c50 = V(), c51 = V(), c52 = V(), c53 = V()
    switch start {
    case .zero: break
    case .bias:
        let br = UnsafeRawPointer(bias!)
        let b0 = br.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = br.loadUnaligned(fromByteOffset: 64, as: V.self)
        let b2 = br.loadUnaligned(fromByteOffset: 128, as: V.self)
        let b3 = br.loadUnaligned(fromByteOffset: 192, as: V.self)
        c00 = b0; c01 = b1; c02 = b2; c03 = b3
        c10 = b0; c11 = b1; c12 = b2; c13 = b3
        c20 = b0; c21 = b1; c22 = b2; c23 = b3
        c30 = b0; c31 = b1; c32 = b2; c33 = b3
        c40 = b0; c41 = b1; c42 = b2; c43 = b3
        c50 = b0; c51 = b1; c52 = b2; c53 = b3
    case .accumulate:
        c00 = cr.loadUnaligned(fromByteOffset: 0 * stride + 0, as: V.self)
        c01 = cr.loadUnaligned(fromByteOffset: 0 * stride + 64, as: V.self)
        c02 = cr.loadUnaligned(fromByteOffset: 0 * stride + 128, as: V.self)
        c03 = cr.loadUnaligned(fromByteOffset: 0 * stride + 192, as: V.self)
        c10 = cr.loadUnaligned(fromByteOffset: 1 * stride + 0, as: V.self)
        c11 = cr.loadUnaligned(fromByteOffset: 1 * stride + 64, as: V.self)
        c12 = cr.loadUnaligned(fromByteOffset: 1 * stride + 128, as: V.self)
        c13 = cr.loadUnaligned(fromByteOffset: 1 * stride + 192, as: V.self)
        c20 = cr.loadUnaligned(fromByteOffset: 2 * stride + 0, as: V.self)
        c21 = cr.loadUnaligned(fromByteOffset: 2 * stride + 64, as: V.self)
        c22 = cr.loadUnaligned(fromByteOffset: 2 * stride + 128, as: V.self)
        c23 = cr.loadUnaligned(fromByteOffset: 2 * stride + 192, as: V.self)
        c30 = cr.loadUnaligned(fromByteOffset: 3 * stride + 0, as: V.self)
        c31 = cr.loadUnaligned(fromByteOffset: 3 * stride + 64, as: V.self)
        c32 = cr.loadUnaligned(fromByteOffset: 3 * stride + 128, as: V.self)
        c33 = cr.loadUnaligned(fromByteOffset: 3 * stride + 192, as: V.self)
        c40 = cr.loadUnaligned(fromByteOffset: 4 * stride + 0, as: V.self)
        c41 = cr.loadUnaligned(fromByteOffset: 4 * stride + 64, as: V.self)
        c42 = cr.loadUnaligned(fromByteOffset: 4 * stride + 128, as: V.self)
        c43 = cr.loadUnaligned(fromByteOffset: 4 * stride + 192, as: V.self)
        c50 = cr.loadUnaligned(fromByteOffset: 5 * stride + 0, as: V.self)
        c51 = cr.loadUnaligned(fromByteOffset: 5 * stride + 64, as: V.self)
        c52 = cr.loadUnaligned(fromByteOffset: 5 * stride + 128, as: V.self)
        c53 = cr.loadUnaligned(fromByteOffset: 5 * stride + 192, as: V.self)
    }
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(fromByteOffset: 0, as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let b2 = pb.loadUnaligned(fromByteOffset: 128, as: V.self)
        let b3 = pb.loadUnaligned(fromByteOffset: 192, as: V.self)
        let a0 = V(repeating: pa[0])
        c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1); c02 = c02.addingProduct(a0, b2); c03 = c03.addingProduct(a0, b3)
        let a1 = V(repeating: pa[1])
        c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1); c12 = c12.addingProduct(a1, b2); c13 = c13.addingProduct(a1, b3)
        let a2 = V(repeating: pa[2])
        c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1); c22 = c22.addingProduct(a2, b2); c23 = c23.addingProduct(a2, b3)
        let a3 = V(repeating: pa[3])
        c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1); c32 = c32.addingProduct(a3, b2); c33 = c33.addingProduct(a3, b3)
        let a4 = V(repeating: pa[4])
        c40 = c40.addingProduct(a4, b0); c41 = c41.addingProduct(a4, b1); c42 = c42.addingProduct(a4, b2); c43 = c43.addingProduct(a4, b3)
        let a5 = V(repeating: pa[5])
        c50 = c50.addingProduct(a5, b0); c51 = c51.addingProduct(a5, b1); c52 = c52.addingProduct(a5, b2); c53 = c53.addingProduct(a5, b3)
        pa += 6
        pb += 256
    }
    cr.storeBytes(of: c00, toByteOffset: 0 * stride + 0, as: V.self)
    cr.storeBytes(of: c01, toByteOffset: 0 * stride + 64, as: V.self)
    cr.storeBytes(of: c02, toByteOffset: 0 * stride + 128, as: V.self)
    cr.storeBytes(of: c03, toByteOffset: 0 * stride + 192, as: V.self)
    cr.storeBytes(of: c10, toByteOffset: 1 * stride + 0, as: V.self)
    cr.storeBytes(of: c11, toByteOffset: 1 * stride + 64, as: V.self)
    cr.storeBytes(of: c12, toByteOffset: 1 * stride + 128, as: V.self)
    cr.storeBytes(of: c13, toByteOffset: 1 * stride + 192, as: V.self)
    cr.storeBytes(of: c20, toByteOffset: 2 * stride + 0, as: V.self)
    cr.storeBytes(of: c21, toByteOffset: 2 * stride + 64, as: V.self)
    cr.storeBytes(of: c22, toByteOffset: 2 * stride + 128, as: V.self)
    cr.storeBytes(of: c23, toByteOffset: 2 * stride + 192, as: V.self)
    cr.storeBytes(of: c30, toByteOffset: 3 * stride + 0, as: V.self)
    cr.storeBytes(of: c31, toByteOffset: 3 * stride + 64, as: V.self)
    cr.storeBytes(of: c32, toByteOffset: 3 * stride + 128, as: V.self)
    cr.storeBytes(of: c33, toByteOffset: 3 * stride + 192, as: V.self)
    cr.storeBytes(of: c40, toByteOffset: 4 * stride + 0, as: V.self)
    cr.storeBytes(of: c41, toByteOffset: 4 * stride + 64, as: V.self)
    cr.storeBytes(of: c42, toByteOffset: 4 * stride + 128, as: V.self)
    cr.storeBytes(of: c43, toByteOffset: 4 * stride + 192, as: V.self)
    cr.storeBytes(of: c50, toByteOffset: 5 * stride + 0, as: V.self)
    cr.storeBytes(of: c51, toByteOffset: 5 * stride + 64, as: V.self)
    cr.storeBytes(of: c52, toByteOffset: 5 * stride + 128, as: V.self)
    cr.storeBytes(of: c53, toByteOffset: 5 * stride + 192, as: V.self)
}

/// The same 6x64 tile for CPUs with sixteen 256-bit registers (AVX2): 24 accumulators would spill
/// there, so the tile runs as four 6x16 column slabs, 6 accumulators (12 registers) each — the shape
/// of BLIS's Haswell kernel. Every C element still sums over k in the same order from the same
/// start, so the bytes equal `gemmMicroKernel`'s. An edge tile runs only the `slabs` its columns
/// reach (a 96-wide C is one full tile and two slabs, not two full tiles).
@inline(__always)
func gemmMicroKernelSlabs(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, start: GemmTileStart, bias: UnsafePointer<Float>?, slabs: Int = 4
) {
    for slab in 0..<slabs {
        gemmSlab(kc: kc, a: a, b: b + 16 * slab, c: c + 16 * slab, ldc: ldc, start: start, bias: bias.map { $0 + 16 * slab })
    }
}

/// One 6x16 slab of the tile: `b` points into a [k][64] panel, so its rows are 64 floats apart.
@inline(__always)
private func gemmSlab(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, start: GemmTileStart, bias: UnsafePointer<Float>?
) {
    typealias V = SIMD16<Float>
    let cr = UnsafeMutableRawPointer(c)
    let stride = ldc * 4
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    switch start {
    case .zero: break
    case .bias:
        let b0 = UnsafeRawPointer(bias!).loadUnaligned(as: V.self)
        c0 = b0; c1 = b0; c2 = b0; c3 = b0; c4 = b0; c5 = b0
    case .accumulate:
        c0 = cr.loadUnaligned(fromByteOffset: 0 * stride, as: V.self)
        c1 = cr.loadUnaligned(fromByteOffset: 1 * stride, as: V.self)
        c2 = cr.loadUnaligned(fromByteOffset: 2 * stride, as: V.self)
        c3 = cr.loadUnaligned(fromByteOffset: 3 * stride, as: V.self)
        c4 = cr.loadUnaligned(fromByteOffset: 4 * stride, as: V.self)
        c5 = cr.loadUnaligned(fromByteOffset: 5 * stride, as: V.self)
    }
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let bk = pb.loadUnaligned(as: V.self)
        c0 = c0.addingProduct(V(repeating: pa[0]), bk)
        c1 = c1.addingProduct(V(repeating: pa[1]), bk)
        c2 = c2.addingProduct(V(repeating: pa[2]), bk)
        c3 = c3.addingProduct(V(repeating: pa[3]), bk)
        c4 = c4.addingProduct(V(repeating: pa[4]), bk)
        c5 = c5.addingProduct(V(repeating: pa[5]), bk)
        pa += 6
        pb += 256
    }
    cr.storeBytes(of: c0, toByteOffset: 0 * stride, as: V.self)
    cr.storeBytes(of: c1, toByteOffset: 1 * stride, as: V.self)
    cr.storeBytes(of: c2, toByteOffset: 2 * stride, as: V.self)
    cr.storeBytes(of: c3, toByteOffset: 3 * stride, as: V.self)
    cr.storeBytes(of: c4, toByteOffset: 4 * stride, as: V.self)
    cr.storeBytes(of: c5, toByteOffset: 5 * stride, as: V.self)
}

/// How a tile's accumulators start: at zero, from a bias row, or from the current C.
public enum GemmTileStart: Sendable { case zero, bias, accumulate }
