/// A deliberately non-causal variant, for tests only: with `readsNextToken` set, each position
/// reads the token after it — the token it is asked to predict — instead of its own (the last
/// position of a sequence, which has no next token, keeps its own): the off-by-one bug that
/// feeds a model its targets. Trained this way a model scores almost perfectly on any text,
/// which is exactly what the evaluation's leakage alarm must catch. Nothing but a test sets the
/// switch; it is not part of the config and is never saved. The backward pass needs nothing
/// more: the embedding gradient goes to the tokens that were read.
extension MiniGPT {
    /// Shifts each sequence's tokens in the arena one place to the left.
    func shiftToNextTokens(batch: Int, length: Int) {
        for b in 0..<batch {
            let row = arena.tokens + b * length
            for i in 0..<(length - 1) { row[i] = row[i + 1] }
        }
    }
}
