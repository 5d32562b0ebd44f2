import Foundation
import MirageTensor
import MirageTestSupport
import Testing

/// Outputs and gradients against values recorded from PyTorch by `scripts/make_torch_fixtures.py`.
@Suite struct TorchGoldenTests {
    struct Array: Decodable {
        let shape: [Int]
        let data: [Float]
        var tensor: Tensor { Tensor(data, shape: shape) }
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let name: String
        let inputs: [Array]
        let output: Array
        let cotangent: Array
        let grads: [Array]
        let order: Int
        let directions: [Array]?
        var testDescription: String { name }
    }

    struct Fixture: Decodable { let cases: [Case] }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/torch_ops.json")
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases
        } catch {
            fatalError("cannot read the PyTorch fixtures at \(url.path): \(error)")
        }
    }()

    static func penalty(_ x: Tensor, _ w1: Tensor, _ b1: Tensor, _ w2: Tensor) -> Tensor {
        let xi = x.detached().requiringGrad()
        let h = conv2d(xi, w1, bias: b1, stride: (2, 2), padding: (1, 1)).leakyRelu(0.2)
        let d = h.flattened(startAxis: 1).matmul(w2.transposed())
        let g = gradients(of: d.sum(), wrt: [xi], createGraph: true)[0]
        return (g.flattened(startAxis: 1).norm(axis: 1) - 1).pow(2).mean()
    }

    static let ops: [String: ([Tensor]) -> Tensor] = [
        "add": { $0[0] + $0[1] }, "subtract": { $0[0] - $0[1] }, "multiply": { $0[0] * $0[1] },
        "divide": { $0[0] / $0[1] }, "exp": { $0[0].exp() }, "log": { $0[0].log() }, "sqrt": { $0[0].sqrt() },
        "pow3": { $0[0].pow(3) }, "abs": { $0[0].abs() }, "tanh": { $0[0].tanh() }, "sigmoid": { $0[0].sigmoid() },
        "relu": { $0[0].relu() }, "leakyRelu": { $0[0].leakyRelu(0.2) }, "silu": { $0[0].silu() },
        "softplus": { $0[0].softplus() }, "sin": { $0[0].sin() }, "cos": { $0[0].cos() },
        "clamp": { $0[0].clamped(min: -0.5, max: 0.5) },
        "where": { Tensor.where($0[0] .> 0, $0[0], $0[1]) },
        "sumAxes": { $0[0].sum(axes: [0, 2], keepDims: true) }, "mean": { $0[0].mean(axis: 1) },
        "amax": { $0[0].max(axis: 2) }, "amin": { $0[0].min(axis: 0) },
        "logSumExp": { $0[0].logSumExp(axis: 1) }, "softmax": { $0[0].softmax(axis: -1) },
        "logSoftmax": { $0[0].logSoftmax(axis: 0) }, "variance": { $0[0].variance(axes: [1]) },
        "matmul": { $0[0].matmul($0[1]) }, "permute": { $0[0].permuted([2, 0, 1]) },
        "slicePad": { $0[0].sliced(axis: 1, 1..<3).padded([(0, 0), (0, 1), (1, 2)]) },
        "concat": { Tensor.concat([$0[0], $0[1], $0[0]], axis: 1) },
        "indexSelect": { $0[0].indexSelect(axis: 0, indices: [2, 0, 2]) },
        "gather": { $0[0].gather(axis: 1, indices: Tensor([0, 3, 1, 1, 2, 0], shape: [3, 2])) },
        "conv2d": { conv2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1)) },
        "conv2dGroups": { conv2d($0[0], $0[1], stride: (1, 2), padding: (2, 1), groups: 2) },
        "convTranspose2d": { convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1)) },
        "convTranspose2dGroups": { convTranspose2d($0[0], $0[1], stride: (2, 2), padding: (1, 1), outputPadding: (1, 1), groups: 2) },
        "maxPool2d": { maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
        "avgPool2d": { avgPool2d($0[0], kernelSize: (2, 2)) },
        "upsampleNearest2d": { upsampleNearest2d($0[0], scale: (2, 2)) },
        "tanhMatmul2": { $0[0].matmul($0[1]).tanh() },
        "conv2d2": { conv2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)).sigmoid() },
        "convTranspose2d2": { convTranspose2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)).tanh() },
        "softmax2": { $0[0].softmax(axis: 1) }, "logSumExp2": { $0[0].logSumExp(axis: 0) },
        "gradientPenalty": { penalty($0[0], $0[1], $0[2], $0[3]) },
    ]

    @Test func everyFixtureHasAnOp() {
        #expect(Set(Self.cases.map(\.name)) == Set(Self.ops.keys))
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ c: Case) throws {
        let op = try #require(Self.ops[c.name], "no Mirage op for fixture \(c.name)")
        let xs = c.inputs.map { $0.tensor.requiringGrad() }
        let y = op(xs)
        expectClose(y, c.output.data, shape: c.output.shape, atol: 1e-5, rtol: 1e-4)
        var grads = gradients(of: y, wrt: xs, outputGradient: c.cotangent.tensor, createGraph: c.order == 2)
        if c.order == 2, let vs = c.directions {
            let h = zip(grads, vs).map { ($0 * $1.tensor).sum() }.reduce(Tensor(0), +)
            grads = gradients(of: h, wrt: xs)
        }
        for (g, expected) in zip(grads, c.grads) {
            expectClose(g, expected.data, shape: expected.shape, atol: 1e-4, rtol: 1e-4)
        }
    }
}
