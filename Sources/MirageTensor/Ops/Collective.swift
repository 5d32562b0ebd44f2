extension Tensor {
    /// The sum of this tensor over the processes of a data-parallel group (y = Σ_r x_r, the same
    /// on every process), differentiable: as every process's loss depends on y, the gradient of
    /// x_r is the sum over the processes of the gradients of y, the same collective again, so
    /// that the rule differentiates once more.
    ///
    /// Every process must call it at the same point with a tensor of the same shape.
    ///
    /// - Parameter sum: Replaces a buffer with its sum over the processes, in place (a process
    ///   group's all-reduce).
    /// - Returns: The sum, shaped as this tensor.
    public func summedAcrossProcesses(_ sum: @escaping @Sendable (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let out = TensorStorage(count: count)
        if count > 0 { withUnsafeBufferPointer { x in out.data.update(from: x.baseAddress!, count: count) } }
        sum(UnsafeMutableBufferPointer(start: out.data, count: count))
        return Tensor.record("summedAcrossProcesses", out, shape: shape, inputs: [self]) { g, _ in
            [g.summedAcrossProcesses(sum)]
        }
    }
}
