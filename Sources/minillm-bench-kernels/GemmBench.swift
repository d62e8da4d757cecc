import Foundation
import BF16MicroKernel
import TensorKernels

/// Square-matrix product throughput, the kernel-level counterpart of numpy's matmul peak.
func benchGemm(threads: Int, sizes: [Int], repeats: Int, precision: Precision) {
    let pool = WorkerPool(threads: threads)
    let gemm = Gemm(pool: pool, precision: precision)
    guard gemm.precision == precision else {
        print("SKIPPED gemm \(implementation(precision)): this CPU lacks AVX512-BF16")
        return
    }
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
        print(String(format: "RESULT gemm n=%d %@ threads=%d gflops min=%.1f median=%.1f max=%.1f",
                     n, implementation(precision), threads, flops / sorted.last! / 1e9, flops / sorted[sorted.count / 2] / 1e9, flops / sorted[0] / 1e9))
        print(String(format: "  per CPU-second: %.1f GFLOP/s", flops / cpu.sorted()[cpu.count / 2] / 1e9))
    }
}

/// The instruction peaks: every worker runs independent accumulator chains of `vfmadd231ps` on
/// 512-bit vectors (24 chains, 32 flops each) and on 256-bit ones (12 chains, 16 flops), or of
/// `vdpbf16ps` (24 chains of bf16 pairs, 64 flops each); a probe this CPU cannot run is skipped.
func benchPeak(threads: Int, repeats: Int) {
    let pool = WorkerPool(threads: threads)
    let iterations = 20_000_000
    let probes: [(name: String, flops: Double, chains: Int, missing: String?, run: (Int) -> Float)] = [
        ("fp32-fma", 32, 24, minillm_avx512f_supported() != 0 ? nil : "AVX-512", { minillm_fp32_fma_probe($0) }),
        ("fp32-fma256", 16, 12, nil, { minillm_fp32_fma256_probe($0) }),
        ("bf16-dot", 64, 24, BF16.isSupported ? nil : "AVX512-BF16", { minillm_bf16_dot_probe($0) })]
    for (name, flopsPerInstruction, chains, missing, probe) in probes {
        if let missing {
            print("SKIPPED peak \(name): this CPU lacks \(missing)")
            continue
        }
        let sink = FloatBuffer(count: threads * 16)
        var rates: [Double] = []
        for _ in 0..<repeats {
            let start = now()
            pool.run(threads) { task, _ in sink.pointer[task * 16] = probe(iterations) }
            rates.append(Double(threads * iterations * chains) * flopsPerInstruction / (now() - start) / 1e9)
        }
        let s = Summary(values: rates)
        print(String(format: "RESULT peak %@ probe threads=%d gflops min=%.1f median=%.1f max=%.1f", name, threads, s.min, s.median, s.max))
    }
}
