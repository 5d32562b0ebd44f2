/// Deterministic corruptions of a file's bytes, for tests that every reader survives bad input:
/// each mutant must end in a value or a thrown error, never a trap, a hang or an allocation sized
/// by an unchecked header field. (A trap ends the test process, which is how such a test fails.)
///
/// The same seed gives the same mutants, so CI runs the same cases every time; the libFuzzer
/// targets (`scripts/fuzz`) search further.
public enum Mutations {
    /// Named mutants of `bytes`:
    /// - truncations: every length below 64, then every `stride`-th;
    /// - single-byte changes: every position of a file under 512 bytes (else `flips` seeded ones)
    ///   set to its complement, and `flips` seeded positions set to 0x00 or 0xFF;
    /// - runs: 16 bytes of 0xFF or 0x00 written at seeded positions;
    /// - trailing garbage;
    /// - in the first 512 bytes, each run of ASCII digits (a header's sizes and shapes) replaced by
    ///   a huge, a 32-bit-overflowing, a negative and a zero number.
    public static func of(_ bytes: [UInt8], seed: UInt64 = 1, flips: Int = 200) -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
        let stride = max(1, bytes.count / 64)
        for n in Set(Array(0..<min(64, bytes.count)) + Swift.stride(from: 64, to: bytes.count, by: stride)).sorted() {
            out.append(("truncated to \(n) bytes", Array(bytes.prefix(n))))
        }
        guard !bytes.isEmpty else { return out }
        let positions = bytes.count < 512 ? Array(0..<bytes.count) : (0..<flips).map { _ in next(bytes.count) }
        for i in positions {
            var m = bytes
            m[i] = ~m[i]
            out.append(("byte \(i) inverted", m))
        }
        for _ in 0..<flips {
            var m = bytes
            let i = next(bytes.count), v: UInt8 = next(2) == 0 ? 0x00 : 0xFF
            m[i] = v
            out.append(("byte \(i) set to \(v)", m))
        }
        for _ in 0..<32 {
            var m = bytes
            let i = next(bytes.count), v: UInt8 = next(2) == 0 ? 0x00 : 0xFF
            for j in i..<min(bytes.count, i + 16) { m[j] = v }
            out.append(("16 bytes from \(i) set to \(v)", m))
        }
        out.append(("trailing garbage", bytes + [0x47, 0x41, 0x52, 0x42, 0x41, 0x47, 0x45, 0x00]))
        var i = 0
        let head = min(bytes.count, 512)
        while i < head {
            guard (0x30...0x39).contains(bytes[i]) else { i += 1; continue }
            var j = i
            while j < head && (0x30...0x39).contains(bytes[j]) { j += 1 }
            for number in ["99999999999999999999", "4294967296", "-1", "0"] {
                out.append(("digits at \(i) replaced by \(number)", Array(bytes[..<i]) + Array(number.utf8) + Array(bytes[j...])))
            }
            i = j
        }
        return out
    }
}
