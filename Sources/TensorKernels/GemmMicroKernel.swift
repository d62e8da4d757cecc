/// The 8x32 register tile at the heart of every matmul: 16 `SIMD16<Float>` accumulators,
/// one broadcast of A and two vector loads of B per row and k step. `a` is a packed panel
/// ([k][8]), `b` a packed panel ([k][32]); C rows are `ldc` apart.
@inline(__always)
func gemmMicroKernel(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, start: GemmTileStart, bias: UnsafePointer<Float>?
) {
    typealias V = SIMD16<Float>
    let cr = UnsafeMutableRawPointer(c)
    let stride = ldc * 4
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
    switch start {
    case .zero: break
    case .bias:
        let br = UnsafeRawPointer(bias!)
        let b0 = br.loadUnaligned(as: V.self), b1 = br.loadUnaligned(fromByteOffset: 64, as: V.self)
        c00 = b0; c01 = b1; c10 = b0; c11 = b1; c20 = b0; c21 = b1; c30 = b0; c31 = b1; c40 = b0; c41 = b1; c50 = b0; c51 = b1; c60 = b0; c61 = b1; c70 = b0; c71 = b1
    case .accumulate:
        c00 = cr.loadUnaligned(fromByteOffset: 0 * stride, as: V.self)
        c01 = cr.loadUnaligned(fromByteOffset: 0 * stride + 64, as: V.self)
        c10 = cr.loadUnaligned(fromByteOffset: 1 * stride, as: V.self)
        c11 = cr.loadUnaligned(fromByteOffset: 1 * stride + 64, as: V.self)
        c20 = cr.loadUnaligned(fromByteOffset: 2 * stride, as: V.self)
        c21 = cr.loadUnaligned(fromByteOffset: 2 * stride + 64, as: V.self)
        c30 = cr.loadUnaligned(fromByteOffset: 3 * stride, as: V.self)
        c31 = cr.loadUnaligned(fromByteOffset: 3 * stride + 64, as: V.self)
        c40 = cr.loadUnaligned(fromByteOffset: 4 * stride, as: V.self)
        c41 = cr.loadUnaligned(fromByteOffset: 4 * stride + 64, as: V.self)
        c50 = cr.loadUnaligned(fromByteOffset: 5 * stride, as: V.self)
        c51 = cr.loadUnaligned(fromByteOffset: 5 * stride + 64, as: V.self)
        c60 = cr.loadUnaligned(fromByteOffset: 6 * stride, as: V.self)
        c61 = cr.loadUnaligned(fromByteOffset: 6 * stride + 64, as: V.self)
        c70 = cr.loadUnaligned(fromByteOffset: 7 * stride, as: V.self)
        c71 = cr.loadUnaligned(fromByteOffset: 7 * stride + 64, as: V.self)
    }
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: V.self), b1 = pb.loadUnaligned(fromByteOffset: 64, as: V.self)
        let a0 = V(repeating: pa[0])
        c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
        let a1 = V(repeating: pa[1])
        c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
        let a2 = V(repeating: pa[2])
        c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
        let a3 = V(repeating: pa[3])
        c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
        let a4 = V(repeating: pa[4])
        c40 = c40.addingProduct(a4, b0); c41 = c41.addingProduct(a4, b1)
        let a5 = V(repeating: pa[5])
        c50 = c50.addingProduct(a5, b0); c51 = c51.addingProduct(a5, b1)
        let a6 = V(repeating: pa[6])
        c60 = c60.addingProduct(a6, b0); c61 = c61.addingProduct(a6, b1)
        let a7 = V(repeating: pa[7])
        c70 = c70.addingProduct(a7, b0); c71 = c71.addingProduct(a7, b1)
        pa += 8
        pb += 128
    }
    cr.storeBytes(of: c00, toByteOffset: 0 * stride, as: V.self)
    cr.storeBytes(of: c01, toByteOffset: 0 * stride + 64, as: V.self)
    cr.storeBytes(of: c10, toByteOffset: 1 * stride, as: V.self)
    cr.storeBytes(of: c11, toByteOffset: 1 * stride + 64, as: V.self)
    cr.storeBytes(of: c20, toByteOffset: 2 * stride, as: V.self)
    cr.storeBytes(of: c21, toByteOffset: 2 * stride + 64, as: V.self)
    cr.storeBytes(of: c30, toByteOffset: 3 * stride, as: V.self)
    cr.storeBytes(of: c31, toByteOffset: 3 * stride + 64, as: V.self)
    cr.storeBytes(of: c40, toByteOffset: 4 * stride, as: V.self)
    cr.storeBytes(of: c41, toByteOffset: 4 * stride + 64, as: V.self)
    cr.storeBytes(of: c50, toByteOffset: 5 * stride, as: V.self)
    cr.storeBytes(of: c51, toByteOffset: 5 * stride + 64, as: V.self)
    cr.storeBytes(of: c60, toByteOffset: 6 * stride, as: V.self)
    cr.storeBytes(of: c61, toByteOffset: 6 * stride + 64, as: V.self)
    cr.storeBytes(of: c70, toByteOffset: 7 * stride, as: V.self)
    cr.storeBytes(of: c71, toByteOffset: 7 * stride + 64, as: V.self)
}

/// How a tile's accumulators start: at zero, from a bias row, or from the current C.
public enum GemmTileStart: Sendable { case zero, bias, accumulate }
