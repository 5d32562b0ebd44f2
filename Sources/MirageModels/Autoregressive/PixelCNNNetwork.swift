import MirageNN
import MirageTensor

/// The original PixelCNN (van den Oord et al., 2016, Pixel Recurrent Neural Networks, §3.5): a
/// 7×7 type-A masked convolution to 2h channels, residual blocks (1×1 to h, 3×3 type-B masked,
/// 1×1 back to 2h, each after a ReLU), then two 1×1 output layers.
///
/// Its masked 3×3 kernels leave a blind spot: pixels above and to the right that the stack never
/// reaches, however deep (see ``GatedPixelCNNNetwork``).
public final class PixelCNNNetwork: Module, AutoregressiveNetwork {
    /// One residual block: x + 1×1(ReLU(3×3ᴮ(ReLU(1×1(ReLU(x)))))).
    public final class ResidualBlock: Module {
        let reduce: Conv2d
        let conv: MaskedConv2d
        let expand: Conv2d
        /// The class's bias on the 3×3 layer's output, for a class-conditional network.
        let classEmbedding: Embedding?

        init(filters h: Int, classes: Int, generator g: RandomGenerator) {
            reduce = Conv2d(2 * h, h, kernelSize: 1, generator: g)
            conv = MaskedConv2d(h, h, kernelSize: 3, kind: .b, generator: g)
            expand = Conv2d(h, 2 * h, kernelSize: 1, generator: g)
            classEmbedding = classes > 0 ? Embedding(classes, h, generator: g) : nil
        }

        func callAsFunction(_ x: Tensor, labels: Tensor?) -> Tensor {
            output(x, convolved: conv(reduced(x)), labels: labels)
        }

        /// The masked convolution's input: 1×1(ReLU(x)), after a ReLU.
        func reduced(_ x: Tensor) -> Tensor { reduce(x.relu()).relu() }

        /// The block's output from its input and its masked convolution's output.
        func output(_ x: Tensor, convolved y: Tensor, labels: Tensor?) -> Tensor {
            guard let bias = classBias(classEmbedding, labels) else { return x + expand(y.relu()) }
            return x + expand((y + bias).relu())
        }
    }

    let input: MaskedConv2d
    let blocks: [ResidualBlock]
    let hidden: Conv2d
    let output: Conv2d

    /// - Parameters:
    ///   - h: Half the channels of the residual stream, which has 2h.
    ///   - blocks: Residual blocks.
    ///   - outputs: Logits per pixel: 1 (Bernoulli) or 256 (8-bit levels).
    ///   - classes: Classes of a class-conditional network, 0 for none.
    ///   - g: Source of the initial weights.
    public init(filters h: Int, blocks: Int, outputs: Int, classes: Int = 0, generator g: RandomGenerator) {
        input = MaskedConv2d(1, 2 * h, kernelSize: 7, kind: .a, generator: g)
        self.blocks = (0..<blocks).map { _ in ResidualBlock(filters: h, classes: classes, generator: g) }
        hidden = Conv2d(2 * h, 2 * h, kernelSize: 1, generator: g)
        output = Conv2d(2 * h, outputs, kernelSize: 1, generator: g)
    }

    public func callAsFunction(_ x: Tensor, labels: Tensor?) -> Tensor {
        var h = input(x)
        for block in blocks { h = block(h, labels: labels) }
        return output(hidden(h.relu()).relu())
    }

    public func rowSampler(labels: Tensor?) -> any RowSampler { Rows(self, labels: labels) }

    /// A row's pass needs, besides the image's 4 rows ending at it, each block's 3×3 input in
    /// the row above: everything else of the row above only reaches it through those.
    final class Rows: RowSampler {
        let net: PixelCNNNetwork
        let labels: Tensor?
        /// Each block's masked-convolution input of the row above (nil in row 0: zero padding).
        var above: [Tensor?]

        init(_ net: PixelCNNNetwork, labels: Tensor?) {
            self.net = net
            self.labels = labels
            above = Array(repeating: nil, count: net.blocks.count)
        }

        func logits(_ recent: Tensor) -> Tensor {
            net.output(net.hidden(stream(recent).last.relu()).relu())
        }

        /// The residual stream of the last row, and each block's masked-convolution input there.
        func stream(_ recent: Tensor) -> (last: Tensor, reduced: [Tensor]) {
            var h = net.input.lastRow(paddedAbove(recent, to: 4))
            var reducedRows: [Tensor] = []
            for (b, block) in net.blocks.enumerated() {
                let reduced = block.reduced(h)
                reducedRows.append(reduced)
                let rows = Tensor.concat([above[b] ?? Tensor.zeros(reduced.shape), reduced], axis: 2)
                h = block.output(h, convolved: block.conv.lastRow(rows), labels: labels)
            }
            return (h, reducedRows)
        }

        func finish(_ recent: Tensor) {
            above = stream(recent).reduced
        }
    }
}
