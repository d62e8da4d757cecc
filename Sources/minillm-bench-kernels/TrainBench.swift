import Foundation
import MiniGPT
import TensorKernels

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds used by all threads of this process: on a shared machine, tokens per CPU-second
/// shows the kernels' efficiency even when wall time suffers from other processes.
func cpuTime() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// The implementation column of a RESULT line: "swift", or "swift-bf16" for bf16 products.
func implementation(_ precision: Precision) -> String { precision == .fp32 ? "swift" : "swift-\(precision.rawValue)" }

/// Training throughput: `repeats` timings of `steps` full steps (zero, forward, backward, clip,
/// AdamW) after one warm-up step; the loss of the last step closes the line.
func benchTrain(_ bench: BenchConfig, threads: Int, steps: Int, repeats: Int, precision: Precision) throws {
    let c = bench.model
    let model = try MiniGPT(config: c, maxBatch: bench.batch, seed: 1, threads: threads, precision: precision)
    guard model.matmulPrecision == precision else {
        print("SKIPPED train \(bench.name) \(implementation(precision)): this CPU lacks AVX512-BF16")
        return
    }
    let n = bench.batch * c.contextLength
    let rng = CounterRNG(seed: 2)
    let tokens = (0..<n).map { Int32(rng.bits(UInt64($0)) % UInt64(c.vocabSize)) }
    let targets = (0..<n).map { Int32(rng.bits(UInt64(n + $0)) % UInt64(c.vocabSize)) }
    func step() throws {
        _ = try model.trainStep(tokens: tokens, targets: targets, batch: bench.batch, learningRate: 3e-4,
                                maxGradientNorm: 1, labelSmoothing: 0.1)
    }
    try step()
    var rates: [Double] = [], cpuRates: [Double] = []
    var phases = [Double](repeating: 0, count: 3)
    var loss: Float = 0
    for _ in 0..<repeats {
        let start = now(), cpuStart = cpuTime()
        for _ in 0..<steps {
            let t0 = now()
            model.zeroGradients()
            loss = try model.forward(tokens: tokens, targets: targets, batch: bench.batch, training: true, labelSmoothing: 0.1).loss
            let t1 = now()
            model.backward()
            let t2 = now()
            model.clipGradients(maxNorm: 1)
            model.optimizerStep(learningRate: 3e-4)
            let t3 = now()
            phases[0] += t1 - t0; phases[1] += t2 - t1; phases[2] += t3 - t2
        }
        rates.append(Double(steps * n) / (now() - start))
        cpuRates.append(Double(steps * n) / (cpuTime() - cpuStart))
    }
    let s = Summary(values: rates)
    let gflops = c.trainingFLOPsPerToken / 1e9
    let total = phases.reduce(0, +)
    print(String(format: "RESULT train %@ %@ threads=%d tokens_per_s min=%.0f median=%.0f max=%.0f gflops_median=%.1f cpu_tokens_per_s=%.0f loss=%.4f",
                 bench.name, implementation(precision), threads, s.min, s.median, s.max, s.median * gflops,
                 Summary(values: cpuRates).median, loss))
    print(String(format: "  phases: forward %.0f%%, backward %.0f%%, clip+AdamW %.0f%%; %.1f ms/step; arena %.0f MiB",
                 100 * phases[0] / total, 100 * phases[1] / total, 100 * phases[2] / total,
                 1000 * total / Double(steps * repeats), Double(model.activationBytes) / 1_048_576))
}

/// Greedy KV-cached generation at batch 1: milliseconds per generated token.
func benchGenerate(_ bench: BenchConfig, threads: Int, tokens count: Int, repeats: Int) throws {
    let model = try MiniGPT(config: bench.model, maxBatch: 1, seed: 1, threads: threads)
    let generator = CachedDecoder(model: model)
    let length = min(count, bench.model.contextLength - 1)
    _ = try generator.greedy(prompt: [1], count: length)
    var perToken: [Double] = []
    for _ in 0..<repeats {
        let start = now()
        _ = try generator.greedy(prompt: [1], count: length)
        perToken.append(1000 * (now() - start) / Double(length))
    }
    let s = Summary(values: perToken)
    print(String(format: "RESULT generate %@ swift threads=%d ms_per_token min=%.3f median=%.3f max=%.3f",
                 bench.name, threads, s.min, s.median, s.max))
}
