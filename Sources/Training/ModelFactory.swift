import MiniGPT
import TensorKernels

extension TrainingSettings {
    /// A freshly initialised model for these settings, or the reason it cannot be built.
    public func makeModel(vocabularySize: Int, threads: Int?) throws -> MiniGPT {
        let config = modelConfig(vocabularySize: vocabularySize)
        do {
            let muon = optimizer == .muon ? Muon.Settings(
                learningRateScale: Float(muonLearningRate / learningRate), momentum: Float(muonMomentum),
                momentumWarmupSteps: muonMomentumWarmupSteps, weightDecay: Float(weightDecay)) : nil
            return try MiniGPT(config: config, maxBatch: microBatchSize, seed: UInt64(seed), threads: threads,
                               optimizer: AdamW.Settings(beta1: Float(beta1), beta2: Float(beta2),
                                                         weightDecay: Float(weightDecay)), muon: muon,
                               precision: precision, zeroInitOutputs: zeroInit)
        } catch {
            throw TrainingError.refused("\(error)")
        }
    }

    /// The model these settings describe.
    public func modelConfig(vocabularySize: Int) -> MiniGPTConfig {
        MiniGPTConfig(vocabSize: vocabularySize, width: width, layers: layers, heads: heads, contextLength: context,
                      dropout: Float(dropout), gelu: gelu, positions: positions, tieWeights: tieWeights, norm: norm, mlp: mlp,
                      hiddenWidth: ffnWidth > 0 ? ffnWidth : nil, qkNorm: qkNorm, bias: bias, ropeTheta: ropeTheta,
                      embeddingScale: embeddingScale > 0 ? Float(embeddingScale) : nil, bigramBuckets: bigramBuckets)
    }
}
