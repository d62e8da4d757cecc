import Foundation
import TensorKernels

/// Square-matrix sgemm throughput, the kernel-level counterpart of numpy's matmul peak.
func benchGemm(threads: Int, sizes: [Int], repeats: Int) {
    let pool = WorkerPool(threads: threads)
    let gemm = Gemm(pool: pool)
    for n in sizes {
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        let rng = CounterRNG(seed: 1)
        for i in 0..<n * n { a.pointer[i] = rng.uniform(UInt64(i)) - 0.5; b.pointer[i] = rng.uniform(UInt64(i + n * n)) - 0.5 }
        gemm.reserve(k: n, n: n)
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<repeats {
            let start = now(), cpuStart = cpuTime()
            gemm.multiply(m: n, n: n, k: n, a: StridedMatrix(a.pointer, rowStride: n),
                          b: StridedMatrix(b.pointer, rowStride: n), c: c.pointer, ldc: n, initial: .overwrite)
            times.append(now() - start)
            cpu.append(cpuTime() - cpuStart)
        }
        let flops = 2 * Double(n) * Double(n) * Double(n)
        let sorted = times.sorted()
        print(String(format: "RESULT gemm n=%d swift threads=%d gflops min=%.1f median=%.1f max=%.1f",
                     n, threads, flops / sorted.last! / 1e9, flops / sorted[sorted.count / 2] / 1e9, flops / sorted[0] / 1e9))
        print(String(format: "  per CPU-second: %.1f GFLOP/s", flops / cpu.sorted()[cpu.count / 2] / 1e9))
    }
}
