import TensorKernels

/// The optimizer's moments (flat, in parameter layout order) and the step count: everything a
/// checkpoint needs besides the parameters to resume training exactly. With Muon, the block
/// matrices (attention qkv and projection, MLP in and out) take Muon updates and keep its
/// momentum in `firstMoment` (their `secondMoment` stays zero); every other tensor takes AdamW.
public final class OptimizerState {
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer
    /// Updates done so far; the next update uses step + 1 for bias correction.
    public var step: Int = 0
    public let adamW: AdamW
    public let muon: Muon?

    init(layout: ParameterLayout, settings: AdamW.Settings, muon muonSettings: Muon.Settings?) {
        firstMoment = FloatBuffer(count: layout.count)
        secondMoment = FloatBuffer(count: layout.count)
        let matrices = muonSettings == nil ? [] : layout.hiddenMatrices
        let byMuon = Set(matrices.map(\.offset))
        adamW = AdamW(settings: settings, segments: layout.tensors.filter { !byMuon.contains($0.offset) }.map {
            AdamW.Segment(offset: $0.offset, count: $0.count, decays: $0.decays)
        })
        muon = muonSettings.map { Muon(settings: $0, matrices: matrices) }
    }

    public var settings: AdamW.Settings { adamW.settings }

    func update(_ pool: WorkerPool, _ gemm: Gemm, learningRate: Float, parameters: UnsafeMutablePointer<Float>,
                gradients: UnsafePointer<Float>) {
        step += 1
        adamW.update(pool, step: step, learningRate: learningRate, parameters: parameters, gradients: gradients,
                     firstMoment: firstMoment.pointer, secondMoment: secondMoment.pointer)
        muon?.update(gemm, step: step, learningRate: learningRate, parameters: parameters, gradients: gradients,
                     momentum: firstMoment.pointer)
    }

    public func reset() {
        firstMoment.zero()
        secondMoment.zero()
        step = 0
    }
}
