import MirageNN
import MirageTensor

/// Images of several columns shown side by side per example, as the translation sheets lay them
/// out (input | output | target): `[n, C_k, H, W]` tensors in [0, 1] interleaved into
/// `[n · k, C, H, W]`, gray ones repeated to RGB when any is in colour. With `perRow` examples a
/// row, the sheet has `k · perRow` columns.
public func sideBySide(_ columns: [Tensor], perRow: Int) -> Sheet.Layout {
    let n = columns[0].shape[0], channels = columns.map { $0.shape[1] }.max()!
    let matched = columns.map { c -> Tensor in
        let rgb = c.shape[1] == channels ? c : c.expanded(to: [n, channels] + Array(c.shape.dropFirst(2)))
        return rgb.unsqueezed(axis: 1)
    }
    let joined = Tensor.concat(matched, axis: 1)
    return Sheet.Layout(images: joined.reshaped([n * columns.count, channels] + Array(columns[0].shape.dropFirst(2))),
                        columns: columns.count * perRow)
}

extension Sheet {
    /// Images and the number of columns to show them in.
    public struct Layout {
        public var images: Tensor
        public var columns: Int
    }

    init(name: String, _ layout: Layout) {
        self.init(name: name, images: layout.images, columns: layout.columns)
    }
}

/// A translation network's outputs in [0, 1] for images in [0, 1]: evaluation mode, no graph, in
/// chunks of about a million pixels so that a folder of large photos keeps memory bounded.
func translateImages(_ network: any Layer, _ images: Tensor) -> Tensor {
    let pixels = images.shape.dropFirst().reduce(1, *)
    return generateImages(network, count: images.shape[0], chunk: max(1, min(1024, (1 << 20) / max(1, pixels)))) {
        images.sliced(axis: 0, $0) * 2 - 1
    }
}
