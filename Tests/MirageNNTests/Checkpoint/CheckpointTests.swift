import Foundation
import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct CheckpointTests {
    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mirage-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    @Test func roundTripsTensorsAndMetadata() throws {
        let url = Self.temporaryURL("roundtrip.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let a = Tensor.randn([3, 4], generator: RandomGenerator(seed: 1)), s = Tensor(7)
        try Checkpoint(tensors: ["a": a, "scalar": s, "empty": Tensor.zeros([0, 3])], metadata: ["step": "12"]).write(to: url)
        let back = try Checkpoint.read(from: url)
        #expect(back.tensors["a"]!.scalars == a.scalars && back.tensors["a"]!.shape == [3, 4])
        #expect(back.tensors["scalar"]!.shape == [] && back.tensors["scalar"]!.item == 7)
        #expect(back.tensors["empty"]!.shape == [0, 3])
        #expect(back.metadata == ["step": "12"])
        // No temporary file is left behind.
        let left = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(!left.contains { $0.contains("roundtrip.safetensors.") && $0.hasSuffix(".tmp") })
    }

    @Test func truncatedAndCorruptFilesGiveClearErrors() throws {
        let good = try Checkpoint(tensors: ["w": Tensor.ones([4, 4])], metadata: ["k": "v"]).serialized()
        func problem(_ bytes: Data) -> String? {
            do { _ = try Checkpoint.parse(bytes, path: "model.safetensors"); return nil } catch let e as CheckpointError {
                #expect(e.description.hasPrefix("model.safetensors: "))
                return e.problem
            } catch { return "\(error)" }
        }
        #expect(problem(good.prefix(5))?.contains("too short") == true)
        #expect(problem(good.prefix(40))?.contains("header length") == true)
        #expect(problem(good.prefix(good.count - 3))?.contains("truncated") == true)
        var garbled = good
        garbled[10] = 0xFF
        #expect(problem(garbled)?.contains("not a JSON object") == true)
        let json = #"{"w":{"dtype":"Q9","shape":[1],"data_offsets":[0,4]}}"#
        var odd = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { odd.append(contentsOf: $0) }
        odd.append(contentsOf: Array(json.utf8) + [0, 0, 0, 0])
        #expect(problem(odd)?.contains("unsupported dtype Q9") == true)
        // Header fields edited to shapes whose size overflows, or to negative dimensions.
        func header(_ json: String) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { d.append(contentsOf: $0) }
            return d + Data(json.utf8) + Data([0, 0, 0, 0])
        }
        #expect(problem(header(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#))?
            .contains("impossibly large shape") == true)
        #expect(problem(header(#"{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]}}"#))?
            .contains("needs more than") == true)
        #expect(problem(header(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#))?.contains("negative dimension") == true)
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: Self.temporaryURL("does-not-exist")) }
    }

    /// A state dict saved by PyTorch (`safetensors.torch.save_file`) loads into the same
    /// architecture in Mirage and gives the same outputs.
    @Test func loadsAPyTorchStateDict() throws {
        let state = Fixtures.load("torch_dcgen").tensors
        let io = Fixtures.load("torch_dcgen_io").tensors
        let g = DCGenerator(noise: 16, width: 32)
        try g.loadStateDict(state)
        g.eval()
        let y = withNoGrad { g(io["z"]!) }
        expectClose(y, io["output"]!.scalars, shape: io["output"]!.shape, atol: 1e-4, rtol: 1e-4)
    }

    /// The writer's bytes are stable: `scripts/check_mirage_checkpoint.py` loads this fixture with
    /// Python's `safetensors` and checks its values, so Python reads what Mirage writes.
    @Test func writesWhatPythonReads() throws {
        let model = Linear(3, 2, generator: RandomGenerator(seed: 5))
        let file = Checkpoint(tensors: Dictionary(uniqueKeysWithValues: model.stateDict()), metadata: ["model": "linear"])
        let bytes = try file.serialized()
        let fixture = Fixtures.directory.appendingPathComponent("mirage_linear.safetensors")
        if ProcessInfo.processInfo.environment["MIRAGE_RECORD_FIXTURES"] == "1" { try bytes.write(to: fixture) }
        #expect(bytes == (try Data(contentsOf: fixture)))
    }
}
