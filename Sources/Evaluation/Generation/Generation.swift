import Foundation

/// Runs one generation against a `LogitsSource` and times it.
public enum Generation {
    /// `onToken` sees each new token as soon as it is chosen (to stream it), before the next
    /// forward pass.
    public static func generate<Source: LogitsSource>(
        _ source: inout Source, prompt: [Int], settings: SamplingSettings, onToken: (Int) throws -> Void = { _ in }
    ) throws -> GenerationResult {
        var sampler = Sampler(settings: settings)
        var history = prompt
        var generated: [Int] = []
        var decodeLatencies: [Double] = []
        var stoppedAtStopToken = false

        let start = DispatchTime.now().uptimeNanoseconds
        var logits = try source.start(prompt: prompt)
        var token = sampler.next(logits: logits, history: history)
        let timeToFirstToken = seconds(since: start)
        while true {
            if settings.stopTokens.contains(token) { stoppedAtStopToken = true; break }
            generated.append(token)
            history.append(token)
            try onToken(token)
            if generated.count == settings.maxNewTokens { break }
            let t = DispatchTime.now().uptimeNanoseconds
            logits = try source.append(token)
            token = sampler.next(logits: logits, history: history)
            decodeLatencies.append(seconds(since: t))
        }
        return GenerationResult(prompt: prompt, tokens: generated, stoppedAtStopToken: stoppedAtStopToken,
                                timeToFirstToken: timeToFirstToken, decodeLatencies: decodeLatencies,
                                totalSeconds: seconds(since: start))
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

public struct GenerationResult: Sendable, Equatable {
    public var prompt: [Int]
    /// New tokens, without the prompt and without a stop token.
    public var tokens: [Int]
    public var stoppedAtStopToken: Bool
    /// Seconds from the call to the first sampled token: prompt prefill plus one sampling step.
    public var timeToFirstToken: Double
    /// Seconds per later token: one cached forward pass plus sampling.
    public var decodeLatencies: [Double]
    public var totalSeconds: Double
}
