import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

/// The readers a user feeds files to, each as a fuzz target: bytes in, a value or a thrown error
/// out. Anything else (a trap, a hang, an allocation sized by an unchecked header field) is what
/// the fuzzer is looking for.
enum FuzzTarget: String, CaseIterable {
    case safetensors, checkpoint, npy, png, idx, gzip, cifar

    func run(_ bytes: [UInt8]) {
        switch self {
        case .safetensors:
            _ = try? Checkpoint.parse(Data(bytes), path: "fuzz.safetensors")
        case .checkpoint:
            // What `mirage sample` does with a run's checkpoint: parse, rebuild, restore, sample.
            guard let file = try? Checkpoint.parse(Data(bytes), path: "fuzz.safetensors"),
                  let header = try? TrainingCheckpoint.header(file, path: "fuzz.safetensors"),
                  let model = try? TrainingCheckpoint.makeModel(header),
                  (try? TrainingCheckpoint.restore(model, from: file, path: "fuzz.safetensors")) != nil else { return }
            model.setTraining(false)
            _ = (model as? any Sampling)?.sample(count: 1, generator: RandomGenerator(seed: 0))
        case .npy:
            _ = try? NPY.decode(bytes, file: "fuzz.npy")
        case .png:
            _ = try? PNG.decode(bytes, file: "fuzz.png")
        case .idx:
            _ = try? IDX.parse(bytes, rank: 3, file: "fuzz-idx3-ubyte")
        case .gzip:
            _ = try? Gzip.decompressIfNeeded(bytes, file: "fuzz.gz")
        case .cifar:
            let path = NSTemporaryDirectory() + "mirage-fuzz-\(getpid()).bin"
            guard (try? Data(bytes).write(to: URL(fileURLWithPath: path))) != nil else { return }
            _ = try? CIFAR10.readBatch(path, expectedRecords: nil)
        }
    }

    /// The target named by `MIRAGE_FUZZ_TARGET`.
    static var fromEnvironment: FuzzTarget? {
        ProcessInfo.processInfo.environment["MIRAGE_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))
    }
}

#if FUZZING
/// One fuzzer input through the target named by `MIRAGE_FUZZ_TARGET`.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = FuzzTarget.fromEnvironment else {
        fatalError("set MIRAGE_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// The program's entry: SwiftPM points `main` at `<module>_main` for an executable target, so the
/// fuzzing build starts libFuzzer's driver from here rather than linking libFuzzer's own `main`.
@_cdecl("mirage_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzOneInput($0, $1) }
}
#else
/// Without the fuzzer: replays files through a target, `mirage-fuzz TARGET FILE...`, so a
/// corpus or a crash the fuzzer found can be rerun in a plain build.
@main
struct FuzzReplay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: mirage-fuzz {\(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|"))} FILE...\n".utf8))
            exit(64)
        }
        for path in arguments.dropFirst() {
            target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        print("\(name): \(arguments.count - 1) inputs, no crash")
    }
}
#endif
