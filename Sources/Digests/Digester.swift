import CLibcrypto
import Foundation

// SHA-256 and SHA-1 come from the system's OpenSSL libcrypto (the library libcurl already links)
// rather than a vendored implementation: it uses the CPU's SHA instructions and costs the release
// build nothing, where compiling swift-crypto's BoringSSL took 87 s of a fresh clone's 203 s build.

public enum DigestAlgorithm: Sendable {
    case sha256
    /// Only for the checksums Wikimedia publishes, not for anything security-relevant.
    case sha1

    fileprivate var md: OpaquePointer? {
        switch self {
        case .sha256: EVP_sha256()
        case .sha1: EVP_sha1()
        }
    }
}

/// A streaming digest: `update` with chunks, then `finalize` (which leaves it usable). A value:
/// a copy hashes on independently of the original.
public struct Digester: Sendable {
    private var state: DigestState

    public init(_ algorithm: DigestAlgorithm) { state = DigestState(algorithm.md) }

    public static func sha256(_ data: some DataProtocol) -> [UInt8] { digest(.sha256, data) }
    public static func sha1(_ data: some DataProtocol) -> [UInt8] { digest(.sha1, data) }

    private static func digest(_ algorithm: DigestAlgorithm, _ data: some DataProtocol) -> [UInt8] {
        var digester = Digester(algorithm)
        digester.update(data: data)
        return digester.finalize()
    }

    public mutating func update(bufferPointer bytes: UnsafeRawBufferPointer) {
        if !isKnownUniquelyReferenced(&state) { state = state.copy() }
        state.update(bytes)
    }

    public mutating func update(data: some DataProtocol) {
        for region in data.regions { region.withUnsafeBytes { update(bufferPointer: $0) } }
    }

    public func finalize() -> [UInt8] { state.finalize() }
}

/// An OpenSSL digest context, owned by one `Digester` at a time (copied on write). OpenSSL fails
/// these calls only when it cannot allocate, so a failure traps rather than throws.
private final class DigestState: @unchecked Sendable {
    private let context: OpaquePointer

    private init(context: OpaquePointer?, _ setUp: (OpaquePointer) -> Int32) {
        guard let context else { fatalError("OpenSSL could not allocate a digest context") }
        self.context = context
        precondition(setUp(context) == 1, "OpenSSL could not set up a digest context")
    }

    convenience init(_ md: OpaquePointer?) { self.init(context: EVP_MD_CTX_new()) { EVP_DigestInit_ex($0, md, nil) } }

    deinit { EVP_MD_CTX_free(context) }

    func copy() -> DigestState { DigestState(context: EVP_MD_CTX_new()) { EVP_MD_CTX_copy_ex($0, self.context) } }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "OpenSSL EVP_DigestUpdate failed")
    }

    /// Finishes a copy, so this context can take more input afterwards.
    func finalize() -> [UInt8] {
        let finished = copy()
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(finished.context, &digest, &length) == 1, "OpenSSL EVP_DigestFinal_ex failed")
        return Array(digest.prefix(Int(length)))
    }
}
