#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import MirageNN
import MirageTensor

// Fits y = sin(3x) on [−1, 1] with a small MLP and Adam, then checks that the fit is good:
// a program that uses Mirage's tensors, autograd, layers and optimizers from another package.

/// Trains for `steps` Adam steps; returns the mean squared error before and after.
func fitSine(steps: Int) -> (before: Float, after: Float) {
    let generator = RandomGenerator(seed: 0)
    let x = Tensor.rand([256, 1], low: -1, high: 1, generator: generator)
    let y = (x * 3).sin()
    let model = Sequential(
        Linear(1, 64, generator: generator), Tanh(),
        Linear(64, 64, generator: generator), Tanh(),
        Linear(64, 1, generator: generator)
    )
    let optimizer = Adam(model.parameters(), learningRate: 1e-2)
    func meanSquaredError() -> Tensor { (model(x) - y).pow(2).mean() }

    let before = withNoGrad { meanSquaredError().item }
    for _ in 0..<steps {
        optimizer.zeroGrad()
        meanSquaredError().backward()
        optimizer.step()
    }
    return (before, withNoGrad { meanSquaredError().item })
}

let (before, after) = fitSine(steps: 500)
print("Mirage kernels: \(Kernels.instructionSet); mean squared error \(before) → \(after)")
if after > 0.01 * before {
    print("the fit did not improve a hundredfold")
    exit(1)
}
