import TensorKernels

/// A deliberately non-causal variant, for tests only: with `readsNextToken` set, each position
/// also adds the embedding of the token after it — the token it is asked to predict — to its
/// input. A model trained this way scores almost perfectly on any text, which is exactly what the
/// evaluation's leakage alarm must catch. Nothing but a test sets the switch; it is not part of
/// the config and is never saved.
extension MiniGPT {
    /// x[b, i] += E[token b, i+1] for every position but the last of each sequence.
    func addNextTokenEmbeddings(batch: Int, length: Int, into x: UnsafeMutablePointer<Float>) {
        let d = config.width, table = parameters.pointer + layout.tokenEmbedding
        forEachPeek(batch: batch, length: length) { row, next in VectorOps.axpy(1, table + next * d, x + row * d, d) }
    }

    /// ∂E[token b, i+1] += ∂x[b, i]: the gradient of the added embeddings, in a fixed order.
    func accumulateNextTokenGradients(batch: Int, length: Int, dx: UnsafePointer<Float>) {
        let d = config.width, dTable = gradients.pointer + layout.tokenEmbedding
        forEachPeek(batch: batch, length: length) { row, next in VectorOps.axpy(1, dx + row * d, dTable + next * d, d) }
    }

    private func forEachPeek(batch: Int, length: Int, _ body: (_ row: Int, _ next: Int) -> Void) {
        for b in 0..<batch {
            for i in 0..<(length - 1) {
                let row = b * length + i
                body(row, Int(arena.tokens[row + 1]))
            }
        }
    }
}
