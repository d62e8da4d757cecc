import TensorKernels

/// AdamW moments (flat, in parameter layout order) and the step count: everything a
/// checkpoint needs besides the parameters to resume training exactly.
public final class OptimizerState {
    public let firstMoment: FloatBuffer
    public let secondMoment: FloatBuffer
    /// Updates done so far; the next update uses step + 1 for bias correction.
    public var step: Int = 0
    public let adamW: AdamW

    init(layout: ParameterLayout, settings: AdamW.Settings) {
        firstMoment = FloatBuffer(count: layout.count)
        secondMoment = FloatBuffer(count: layout.count)
        adamW = AdamW(settings: settings, segments: layout.tensors.map {
            AdamW.Segment(offset: $0.offset, count: $0.count, decays: $0.decays)
        })
    }

    public var settings: AdamW.Settings { adamW.settings }

    func update(_ pool: WorkerPool, learningRate: Float, parameters: UnsafeMutablePointer<Float>,
                gradients: UnsafePointer<Float>) {
        step += 1
        adamW.update(pool, step: step, learningRate: learningRate, parameters: parameters, gradients: gradients,
                     firstMoment: firstMoment.pointer, secondMoment: secondMoment.pointer)
    }

    public func reset() {
        firstMoment.zero()
        secondMoment.zero()
        step = 0
    }
}
