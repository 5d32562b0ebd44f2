import MirageNN
import MirageTensor

/// Gated PixelCNN (van den Oord et al., 2016, Conditional Image Generation with PixelCNN
/// Decoders): a vertical stack that sees every row above a pixel and a horizontal stack that sees
/// the pixels to its left in its row, with gated tanh·sigmoid units, so the receptive field has
/// no blind spot.
///
/// The vertical stack's kernels cover the rows above and the current row (`(k/2 + 1) × k`, on
/// the input padded above); its pre-activations reach the horizontal stack shifted one row down,
/// so a pixel's row never leaks in from above. The horizontal kernels cover `1 × (k/2 + 1)`
/// pixels up to the current one (the first layer's stop just before it). Each layer after the
/// first adds a 1×1 residual on the horizontal stack. A class-conditional network adds a learned
/// bias per class to every gate's pre-activation, in both stacks.
public final class GatedPixelCNNNetwork: Module, AutoregressiveNetwork {
    /// One gated layer of both stacks.
    public final class GatedLayer: Module {
        let vertical: Conv2d
        let horizontal: Conv2d
        /// 1×1, 2h → 2h: the vertical stack's pre-activations (one row down) into the horizontal's.
        let link: Conv2d
        /// 1×1, h → h, on the horizontal stack's gated output.
        let residual: Conv2d
        let verticalClass: Embedding?
        let horizontalClass: Embedding?
        /// The first layer: its horizontal kernel stops before the current pixel, and there is no
        /// residual connection (its input is the image).
        let isFirst: Bool
        let kernelSize: Int

        init(inChannels: Int, filters h: Int, kernelSize k: Int, isFirst: Bool, classes: Int, generator g: RandomGenerator) {
            precondition(k % 2 == 1, "GatedLayer: kernel size \(k) must be odd")
            vertical = Conv2d(inChannels, 2 * h, kernelSize: (k / 2 + 1, k), padding: (0, k / 2), generator: g)
            horizontal = Conv2d(inChannels, 2 * h, kernelSize: (1, k / 2 + 1), generator: g)
            link = Conv2d(2 * h, 2 * h, kernelSize: 1, generator: g)
            residual = Conv2d(h, h, kernelSize: 1, generator: g)
            verticalClass = classes > 0 ? Embedding(classes, 2 * h, generator: g) : nil
            horizontalClass = classes > 0 ? Embedding(classes, 2 * h, generator: g) : nil
            self.isFirst = isFirst
            kernelSize = k
        }

        func callAsFunction(vertical v: Tensor, horizontal x: Tensor, labels: Tensor?) -> (vertical: Tensor, horizontal: Tensor) {
            let pre = vertical(v.padded([(0, 0), (0, 0), (kernelSize / 2, 0)]))
            let linked = pre.padded([(0, 0), (0, 0), (1, 0)]).sliced(axis: 2, 0..<v.shape[2])
            return (verticalOutput(pre, labels: labels), horizontalOutput(x, verticalAbove: linked, labels: labels))
        }

        /// The vertical stack's output from its pre-activation (before the class bias).
        func verticalOutput(_ pre: Tensor, labels: Tensor?) -> Tensor {
            guard let bias = classBias(verticalClass, labels) else { return gatedActivation(pre) }
            return gatedActivation(pre + bias)
        }

        /// The horizontal stack's output for its input rows `x`, given the vertical stack's
        /// pre-activations of the rows above them (`verticalAbove`, shifted one row down).
        func horizontalOutput(_ x: Tensor, verticalAbove: Tensor, labels: Tensor?) -> Tensor {
            let r = kernelSize / 2
            // The first layer's window ends one pixel left of the current one: shift the row right.
            let window = isFirst ? x.padded([(0, 0), (0, 0), (0, 0), (r + 1, 0)]).sliced(axis: 3, 0..<(x.shape[3] + r))
                : x.padded([(0, 0), (0, 0), (0, 0), (r, 0)])
            var pre = horizontal(window) + link(verticalAbove)
            if let bias = classBias(horizontalClass, labels) { pre = pre + bias }
            let out = residual(gatedActivation(pre))
            return isFirst ? out : x + out
        }
    }

    let layers: [GatedLayer]
    let hidden: Conv2d
    let output: Conv2d

    /// - Parameters:
    ///   - h: The channels of both stacks.
    ///   - layers: Gated 3×3 layers after the first, 7×7 one.
    ///   - outputs: Logits per pixel: 1 (Bernoulli) or 256 (8-bit levels).
    ///   - classes: Classes of a class-conditional network, 0 for none.
    ///   - g: Source of the initial weights.
    public init(filters h: Int, layers: Int, outputs: Int, classes: Int = 0, generator g: RandomGenerator) {
        self.layers = [GatedLayer(inChannels: 1, filters: h, kernelSize: 7, isFirst: true, classes: classes, generator: g)]
            + (0..<layers).map { _ in GatedLayer(inChannels: h, filters: h, kernelSize: 3, isFirst: false, classes: classes, generator: g) }
        hidden = Conv2d(h, h, kernelSize: 1, generator: g)
        output = Conv2d(h, outputs, kernelSize: 1, generator: g)
    }

    public func callAsFunction(_ x: Tensor, labels: Tensor?) -> Tensor {
        var (v, h) = (x, x)
        for layer in layers { (v, h) = layer(vertical: v, horizontal: h, labels: labels) }
        return output(hidden(h.relu()).relu())
    }

    public func rowSampler(labels: Tensor?) -> any RowSampler { Rows(self, labels: labels) }

    /// The horizontal stack of a row needs only that row and each layer's vertical
    /// pre-activation of the row above; the vertical stack of a row is computed once, when the
    /// row is drawn, from its own rows above.
    final class Rows: RowSampler {
        let net: GatedPixelCNNNetwork
        let labels: Tensor?
        /// Each layer's vertical pre-activation (before the class bias) of the row above.
        var verticalPreAbove: [Tensor?]
        /// Each layer's vertical output (its next layer's input) of the row above; the last
        /// layer's stays nil.
        var verticalAbove: [Tensor?]

        init(_ net: GatedPixelCNNNetwork, labels: Tensor?) {
            self.net = net
            self.labels = labels
            verticalPreAbove = Array(repeating: nil, count: net.layers.count)
            verticalAbove = verticalPreAbove
        }

        func logits(_ recent: Tensor) -> Tensor {
            let m = recent.shape[2]
            var h = recent.sliced(axis: 2, (m - 1)..<m)
            for (l, layer) in net.layers.enumerated() {
                // Row 0 has no row above: the whole image's zero padding.
                let above = verticalPreAbove[l] ?? Tensor.zeros([h.shape[0], layer.link.weight.shape[1], 1, h.shape[3]])
                h = layer.horizontalOutput(h, verticalAbove: above, labels: labels)
            }
            return net.output(net.hidden(h.relu()).relu())
        }

        func finish(_ recent: Tensor) {
            var v = recent
            for (l, layer) in net.layers.enumerated() {
                // The layer's input rows row − r … row: the image's for the first layer, else the
                // layer below's output of the row above and of this row.
                let input = l == 0 ? paddedAbove(v, to: layer.kernelSize / 2 + 1)
                    : Tensor.concat([verticalAbove[l - 1] ?? Tensor.zeros(v.shape), v], axis: 2)
                let pre = layer.vertical(input)
                verticalPreAbove[l] = pre
                if l > 0 { verticalAbove[l - 1] = v }
                // The last layer's vertical output feeds no layer.
                if l + 1 < net.layers.count { v = layer.verticalOutput(pre, labels: labels) }
            }
        }
    }
}
