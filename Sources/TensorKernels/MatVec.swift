/// y = W·x (+ b) for one token, W stored [out × in]: the generation-time linear layer, where
/// packing W for a matmul would cost more than the product. Four rows share each load of x.
public enum MatVec {
    static let rowsPerTask = 64

    public static func forward(
        _ pool: WorkerPool, inFeatures: Int, outFeatures: Int, weight: UnsafePointer<Float>,
        x: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
    ) {
        pool.run(Partition.chunks(outFeatures, of: rowsPerTask)) { task, _ in
            let rows = Partition.range(task, of: rowsPerTask, in: outFeatures)
            var r = rows.lowerBound
            while r + 4 <= rows.upperBound {
                let w0 = weight + r * inFeatures, w1 = w0 + inFeatures, w2 = w1 + inFeatures, w3 = w2 + inFeatures
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                var c = 0
                while c + 16 <= inFeatures {
                    let v = VectorOps.load(x + c)
                    a0 = a0.addingProduct(VectorOps.load(w0 + c), v)
                    a1 = a1.addingProduct(VectorOps.load(w1 + c), v)
                    a2 = a2.addingProduct(VectorOps.load(w2 + c), v)
                    a3 = a3.addingProduct(VectorOps.load(w3 + c), v)
                    c += 16
                }
                var s = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
                while c < inFeatures {
                    s += SIMD4(w0[c], w1[c], w2[c], w3[c]) * x[c]
                    c += 1
                }
                for i in 0..<4 { y[r + i] = s[i] + (bias?[r + i] ?? 0) }
                r += 4
            }
            while r < rows.upperBound {
                y[r] = VectorOps.dot(weight + r * inFeatures, x, inFeatures) + (bias?[r] ?? 0)
                r += 1
            }
        }
    }
}
