import Digests
import Foundation

/// Which split an article belongs to, decided by its title alone, so that adding articles
/// never moves an existing one and no article can land in two splits.
///
/// Rule: take the SHA-256 of the title's UTF-8 bytes in NFC, read its first 8 bytes as a
/// big-endian integer, and take it modulo 10,000: buckets below `trainBuckets` are train, the
/// next `validationBuckets` are validation, the rest test. Defaults 7,000 / 1,500 (70/15/15).
///
/// The vocab stage owns the rule: it trains the tokenizer on the train split and writes the
/// rule as its `split` artifact; the shard stage reads that artifact instead of having split
/// parameters of its own, so the two stages cannot disagree.
public struct DocumentSplit: Sendable, Equatable, Codable {
    public enum Part: String, Sendable, CaseIterable, Codable {
        case train, val, test
    }

    public static let buckets = 10_000
    public static let scheme = "sha256-nfc-title-mod-10000"

    public let trainBuckets: Int
    public let validationBuckets: Int

    public init(trainFraction: Double = 0.70, validationFraction: Double = 0.15) throws {
        let train = Int((trainFraction * Double(Self.buckets)).rounded())
        let validation = Int((validationFraction * Double(Self.buckets)).rounded())
        guard train > 0, validation >= 0, train + validation <= Self.buckets else {
            throw ShardError.badSplit(train: trainFraction, validation: validationFraction)
        }
        trainBuckets = train
        validationBuckets = validation
    }

    public static func bucket(title: String) -> Int {
        let digest = Digester.sha256(Data(title.precomposedStringWithCanonicalMapping.utf8))
        let prefix = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(prefix % UInt64(buckets))
    }

    public func part(title: String) -> Part {
        let bucket = Self.bucket(title: title)
        if bucket < trainBuckets { return .train }
        return bucket < trainBuckets + validationBuckets ? .val : .test
    }

    // The artifact form: the rule spelled out, so a reader can check it knows the scheme.

    enum CodingKeys: String, CodingKey { case scheme, buckets, trainBuckets, validationBuckets }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.scheme, forKey: .scheme)
        try container.encode(Self.buckets, forKey: .buckets)
        try container.encode(trainBuckets, forKey: .trainBuckets)
        try container.encode(validationBuckets, forKey: .validationBuckets)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let scheme = try container.decode(String.self, forKey: .scheme)
        let buckets = try container.decode(Int.self, forKey: .buckets)
        guard scheme == Self.scheme, buckets == Self.buckets else {
            throw ShardError.unknownSplitScheme("\(scheme) over \(buckets) buckets")
        }
        trainBuckets = try container.decode(Int.self, forKey: .trainBuckets)
        validationBuckets = try container.decode(Int.self, forKey: .validationBuckets)
        guard trainBuckets > 0, validationBuckets >= 0, trainBuckets + validationBuckets <= buckets else {
            throw ShardError.unknownSplitScheme("train \(trainBuckets) + validation \(validationBuckets) buckets of \(buckets)")
        }
    }

    /// Canonical JSON bytes (sorted keys), the content of the `split` artifact.
    public func artifactData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(self) + Data("\n".utf8)
    }
}
