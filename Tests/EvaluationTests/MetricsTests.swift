import Foundation
import Testing
@testable import Evaluation

private func close(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool { abs(a - b) <= tol * max(1, abs(b)) }

@Suite struct LanguageModelMetricsTests {
    /// p(target) = 1/2, 1/4, 1/8 over 1, 2, 3 bytes: loss 2 ln 2, perplexity 4,
    /// 6 ln 2 nats over 6 bytes = 1 bit per byte; ranks 0, 3, 7 give top-1 1/3 and top-5 2/3.
    @Test func handComputedScores() {
        var m = LanguageModelMetrics()
        m.accumulate(logProbs: [log(0.5), log(0.25), log(0.125)], targetRank: [0, 3, 7], bytes: [1, 2, 3])
        let s = m.scores
        #expect(s.tokens == 3 && s.bytes == 6)
        #expect(close(s.meanLoss, 2 * log(2.0)))
        #expect(close(s.perplexity, 4))
        #expect(close(s.bitsPerByte, 1))
        #expect(close(s.top1Accuracy, 1.0 / 3) && close(s.top5Accuracy, 2.0 / 3))
    }

    @Test func mergeEqualsOneAccumulator() {
        var a = LanguageModelMetrics(), b = LanguageModelMetrics(), all = LanguageModelMetrics()
        a.accumulate(logProb: -1, targetRank: 0, bytes: 3)
        b.accumulate(logProb: -2, targetRank: 9, bytes: 4)
        all.accumulate(logProb: -1, targetRank: 0, bytes: 3)
        all.accumulate(logProb: -2, targetRank: 9, bytes: 4)
        a.merge(b)
        #expect(a == all)
    }

    @Test func generalizationAsTheOriginalDefinedIt() {
        let g = Generalization(trainLoss: 2.0, validationLoss: 2.5)
        #expect(g.overfittingRatio == 1.25 && g.generalizationGap == 0.5)
    }

    /// A model whose logits are ln p for p = (1/2, 1/4, 1/8, 1/8), scored on targets that occur
    /// exactly in those proportions: the loss is the entropy 1.75 bits, perplexity 2^1.75, and
    /// its mean prediction equals the true frequencies, so every bias figure is 0.
    @Test func knownDistributionPerplexity() {
        let p = [0.5, 0.25, 0.125, 0.125]
        let logits = p.map { Float(log($0)) + 3 }  // a shift must not matter
        var e = SplitEvaluator(vocabSize: 4)
        for target in [0, 1, 0, 2, 0, 3, 1, 0] { e.add(logits: logits, target: target, targetBytes: 2) }
        let s = e.metrics.scores
        #expect(close(s.meanLoss, 1.75 * log(2.0), 1e-7))
        #expect(close(s.perplexity, pow(2, 1.75), 1e-7))
        #expect(close(s.bitsPerByte, 1.75 / 2, 1e-7))
        #expect(close(s.top1Accuracy, 0.5))
        let b = e.bias!.summary()
        #expect(b.absoluteMean < 1e-7 && b.klTrueToPredicted < 1e-7 && b.totalVariation < 1e-7)
    }

    @Test func uniformModelHasPerplexityV() {
        var e = SplitEvaluator(vocabSize: 10, trackBias: false)
        for t in 0..<10 { e.add(logits: [Float](repeating: 0.7, count: 10), target: t, targetBytes: 1) }
        #expect(close(e.metrics.scores.perplexity, 10, 1e-12))
        // All logits tie: token t has t tokens with a smaller id before it, so only 0…4 are top-5.
        #expect(close(e.metrics.scores.top1Accuracy, 0.1) && close(e.metrics.scores.top5Accuracy, 0.5))
    }

    /// The vectorised exp against libm over the softmax range, with a tail that is not a multiple of 8.
    @Test func vectorExpIsAccurate() {
        let x = (0..<8803).map { -87.0 * Float($0) / 8802 }
        var out = [Float](repeating: -1, count: x.count)
        let sum = x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { VectorExp.shiftedExp(xs, shift: 0, into: $0) } }
        var worst = 0.0, exact = 0.0
        for (v, e) in zip(x, out) {
            let reference = exp(Double(v))
            exact += reference
            worst = max(worst, abs(Double(e) - reference) / reference)
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(abs(sum - exact) / exact < 3e-7 && out[0] == 1)
        #expect(VectorExp.exp8(SIMD8(repeating: -90)) == SIMD8(repeating: 0))
    }

    @Test func rankBreaksTiesByTokenId() {
        let logits: [Float] = [1, 3, 3, 2]
        logits.withUnsafeBufferPointer {
            #expect(SplitEvaluator.rank(of: 1, in: $0) == 0)
            #expect(SplitEvaluator.rank(of: 2, in: $0) == 1)
            #expect(SplitEvaluator.rank(of: 3, in: $0) == 2)
            #expect(SplitEvaluator.rank(of: 0, in: $0) == 3)
        }
    }
}

@Suite struct BiasMetricsTests {
    /// Two positions predicting (½, ½, 0) whose true next token is 0 both times:
    /// q = (½, ½, 0), f = (1, 0, 0), d = (−½, ½, 0).
    @Test func handComputedBias() {
        var b = BiasMetrics(vocabSize: 3)
        b.accumulate(probabilities: [0.5, 0.5, 0], target: 0)
        b.accumulate(probabilities: [0.5, 0.5, 0], target: 0)
        let s = b.summary(top: 5) { ["a", "b", "c"][$0] }
        #expect(s.positions == 2 && s.observedTokens == 1)
        #expect(close(s.signedMean, 0))
        #expect(close(s.signedMeanOnObserved, -0.5))
        #expect(close(s.absoluteMean, 1.0 / 3))
        #expect(close(s.variance, 1.0 / 6))
        #expect(close(s.totalVariation, 0.5))
        #expect(close(s.klTrueToPredicted, log(2.0)))
        #expect(close(s.massOnUnobserved, 0.5))
        #expect(s.overPredicted == [TokenBias(token: 1, text: "b", predicted: 0.5, observed: 0, difference: 0.5)])
        #expect(s.underPredicted == [TokenBias(token: 0, text: "a", predicted: 0.5, observed: 1, difference: -0.5)])
        #expect(s.frequencyBins.first == FrequencyBin(firstRank: 1, lastRank: 1, observed: 1, predicted: 0.5))
        #expect(s.frequencyBins.map { $0.lastRank - $0.firstRank + 1 }.reduce(0, +) == 3)
    }
}

@Suite struct NGramBaselineTests {
    /// Add-one over [0, 0, 1] with V = 3: (2+1)/6, (1+1)/6, (0+1)/6.
    @Test func unigramAddOne() throws {
        let m = try NGramBaseline.train(tokens: [0, 0, 1], vocabSize: 3)
        let p = m.probabilities(.unigram, previous: 2)
        #expect(zip(p, [0.5, 1.0 / 3, 1.0 / 6]).allSatisfy { close($0, $1) })
    }

    /// Train [0,1,0,1,0,2], V = 4. Bigrams: (0,1)×2, (1,0)×2, (0,2)×1, so n₁ = 1, n₂ = 2,
    /// D = 1/5. Every seen token has one distinct predecessor: D₁ = 1 and p₁ = 1/4 for all.
    /// After 0 (c = 3, two successors): γ = 0.2·2/3, p(1|0) = 1.8/3 + γ/4, p(2|0) = 0.8/3 + γ/4.
    @Test func kneserNeyByHand() throws {
        let m = try NGramBaseline.train(tokens: [0, 1, 0, 1, 0, 2], vocabSize: 4)
        #expect(close(m.discount, 0.2) && close(m.continuationDiscount, 1))
        let gamma = 0.2 * 2 / 3
        let p = m.probabilities(.bigram, previous: 0)
        let expected = [gamma / 4, 1.8 / 3 + gamma / 4, 0.8 / 3 + gamma / 4, gamma / 4]
        #expect(zip(p, expected).allSatisfy { close($0, $1) }, "\(p) vs \(expected)")
        #expect(m.probabilities(.bigram, previous: 3).allSatisfy { close($0, 0.25) }, "unseen context backs off to p₁")
        #expect(m.probabilities(.bigram, previous: nil) == m.probabilities(.bigram, previous: 3))
    }

    @Test func distributionsSumToOneAndStayPositive() throws {
        var rng = SeededGenerator(seed: 7)
        let tokens = (0..<2000).map { _ in Int(rng.next() % 37) * Int(rng.next() % 2) }
        let m = try NGramBaseline.train(tokens: tokens, vocabSize: 40)
        for kind in NGramBaseline.Kind.allCases {
            for previous in [nil, 0, 5, 39] as [Int?] {
                let p = m.probabilities(kind, previous: previous)
                #expect(close(p.reduce(0, +), 1, 1e-12) && p.allSatisfy { $0 > 0 }, "\(kind) after \(String(describing: previous))")
            }
        }
    }

    /// On a stream where each token mostly determines the next, the bigram must beat the unigram.
    @Test func bigramBeatsUnigramOnMarkovText() throws {
        let train = markovStream(count: 5000, seed: 1), test = markovStream(count: 1000, seed: 2)
        let m = try NGramBaseline.train(tokens: train, vocabSize: 50)
        let bytes = [Int](repeating: 3, count: 50)
        let uni = m.evaluate(.unigram, tokens: test, tokenBytes: bytes).metrics.scores
        let bi = m.evaluate(.bigram, tokens: test, tokenBytes: bytes).metrics.scores
        #expect(uni.tokens == 999 && bi.tokens == 999)
        #expect(bi.meanLoss < uni.meanLoss - 1, "bigram \(bi.meanLoss) vs unigram \(uni.meanLoss)")
        #expect(bi.top1Accuracy > uni.top1Accuracy)
    }

    /// Without bias, `evaluate` looks up p(target) and the row's 5 leaders instead of filling and
    /// ranking the whole row: the same bits, ties included (add-one leaves many equal unigram
    /// probabilities; V = 4 has fewer than 5 tokens), and ln p per position where asked.
    @Test func lookupPathEqualsTheWholeRow() throws {
        var rng = SeededGenerator(seed: 5)
        for vocab in [4, 40] {
            let train = (0..<3000).map { _ in Int(rng.next() % UInt64(vocab)) * Int(rng.next() % 2) }
            let test = (0..<700).map { _ in Int(rng.next() % UInt64(vocab)) }
            let m = try NGramBaseline.train(tokens: train, vocabSize: vocab)
            let bytes = (0..<vocab).map { $0 % 3 }
            for kind in NGramBaseline.Kind.allCases {
                var logProbs = [Double](repeating: .nan, count: test.count)
                let whole = m.evaluate(kind, tokens: test, tokenBytes: bytes, positions: 3..<650, ignoredTargets: [1])
                let lookup = logProbs.withUnsafeMutableBufferPointer {
                    m.evaluate(kind, tokens: test, tokenBytes: bytes, positions: 3..<650, ignoredTargets: [1], trackBias: false,
                               logProbs: $0)
                }
                #expect(whole.metrics == lookup.metrics, "V \(vocab), \(kind)")
                for i in test.indices {
                    let scored = (3..<650).contains(i) && test[i] != 1
                    let want = scored ? log(m.probabilities(kind, previous: test[i - 1])[test[i]]) : Double.nan
                    #expect(logProbs[i] == want || (want.isNaN && logProbs[i].isNaN), "V \(vocab), \(kind), position \(i)")
                }
                for previous in [nil, 0, vocab - 1] as [Int?] {
                    let row = m.probabilities(kind, previous: previous)
                    for t in 0..<vocab {
                        #expect(m.probability(kind, previous: previous, target: t) == row[t])
                        let rank = row.withUnsafeBufferPointer { SplitEvaluator.rank(of: t, in: $0) }
                        #expect(m.leaderRank(kind, previous: previous, target: t) == min(rank, 5))
                    }
                }
            }
        }
        #expect(NGramBaseline.leaders([0.1, 0.3, 0.1, 0.3, 0.2, 0.0], count: 5) == [1, 3, 4, 0, 2])
    }

    @Test func rejectsBadTraining() {
        #expect(throws: NGramError.tooFewTokens(1)) { try NGramBaseline.train(tokens: [0], vocabSize: 3) }
        #expect(throws: NGramError.tokenOutOfRange(token: 3, position: 1, vocabSize: 3)) {
            try NGramBaseline.train(tokens: [0, 3], vocabSize: 3)
        }
    }
}

/// Tokens 0..<50; after t comes (t·7 + 1) mod 50 with probability 0.7, else a random token.
func markovStream(count: Int, seed: UInt64) -> [Int] {
    var rng = SeededGenerator(seed: seed)
    var out = [0]
    while out.count < count {
        out.append(rng.nextUnit() < 0.7 ? (out.last! * 7 + 1) % 50 : Int(rng.next() % 50))
    }
    return out
}

@Suite struct LeakageAlarmTests {
    /// A non-causal "model" that reads the token it is asked to predict (the leak) against the
    /// honest bigram baseline on the same held-out stream.
    @Test func firesOnNonCausalPredictorOnly() throws {
        let train = markovStream(count: 5000, seed: 3), test = markovStream(count: 800, seed: 4)
        let baseline = try NGramBaseline.train(tokens: train, vocabSize: 50)
        let bytes = [Int](repeating: 3, count: 50)
        let bigram = baseline.evaluate(.bigram, tokens: test, tokenBytes: bytes, trackBias: false).metrics.scores

        var leaky = SplitEvaluator(vocabSize: 50, trackBias: false)
        for i in test.indices.dropFirst() {
            var logits = [Float](repeating: 0, count: 50)
            logits[test[i]] = 12  // it sees the future
            leaky.add(logits: logits, target: test[i], targetBytes: 3)
        }
        let leak = LeakageAlarm.check(heldOut: [.init(split: "test", model: leaky.metrics.scores, bigram: bigram)])
        #expect(leak.suspected)
        #expect(Set(leak.checks.filter(\.fired).map(\.rule)) == [
            "perplexity-near-one", "bits-per-byte-implausible", "top1-accuracy-implausible", "top1-accuracy-far-above-bigram",
        ])
        #expect(leak.summary.hasPrefix("SUSPECTED LEAK"))

        let honest = LeakageAlarm.check(heldOut: [.init(split: "test", model: bigram, bigram: bigram)],
                                        generalization: Generalization(trainLoss: 1.9, validationLoss: 2.0))
        #expect(!honest.suspected, "\(honest.summary)")
        #expect(honest.checks.count == 5)
    }

    @Test func validationBelowTrainFires() {
        let s = LanguageModelScores(tokens: 10, bytes: 40, meanLoss: 3, perplexity: exp(3), bitsPerByte: 1.1,
                                    top1Accuracy: 0.2, top5Accuracy: 0.4)
        let r = LeakageAlarm.check(heldOut: [.init(split: "validation", model: s, bigram: nil)],
                                   generalization: Generalization(trainLoss: 4, validationLoss: 3))
        #expect(r.checks.filter(\.fired).map(\.rule) == ["validation-loss-below-train"])
    }
}
