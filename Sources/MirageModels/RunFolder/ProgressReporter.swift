import Foundation

/// Progress output: a redrawn one-line bar on a terminal, plain periodic lines otherwise (logs,
/// CI, pipes).
///
/// ```
/// epoch 2/5 [########------------]  187/468  41.3 it/s  ETA 0:31  loss_d 0.612  loss_g 1.034
/// ```
final class ProgressReporter {
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private let totalSteps: Int
    private let stepsPerEpoch: Int
    private let plainEvery: Int
    /// Prints nothing (the processes of a data-parallel run other than rank 0).
    private let quiet: Bool
    private var lastDraw = Date.distantPast
    private var rateStart: (step: Int, time: Date)

    init(totalSteps: Int, stepsPerEpoch: Int, firstStep: Int, plainEvery: Int = 100, quiet: Bool = false) {
        self.quiet = quiet
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.plainEvery = plainEvery
        rateStart = (firstStep, Date())
    }

    /// Steps per second since the start (or resume) of the run.
    func rate(at step: Int) -> Double {
        let elapsed = Date().timeIntervalSince(rateStart.time)
        return elapsed > 0 ? Double(step - rateStart.step) / elapsed : 0
    }

    /// Reports that `step` steps are done, with the latest running losses.
    func update(step: Int, losses: [(String, Float)]) {
        guard !quiet else { return }
        let rate = rate(at: step)
        let epoch = (step - 1) / stepsPerEpoch + 1, epochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch
        let inEpoch = (step - 1) % stepsPerEpoch + 1
        let eta = rate > 0 ? Double(totalSteps - step) / rate : 0
        let lossText = losses.map { String(format: "%@ %.4g", $0.0, $0.1) }.joined(separator: "  ")
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || step == totalSteps else { return }
            lastDraw = Date()
            let width = 20, filled = width * inEpoch / stepsPerEpoch
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let line = String(format: "epoch %d/%d [%@] %5d/%d  %.1f it/s  ETA %@  %@", epoch, epochs, bar, inEpoch,
                              stepsPerEpoch, rate, Self.clock(eta), lossText)
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
            if step == totalSteps { print() }
        } else if step % plainEvery == 0 || step == totalSteps {
            print(String(format: "step %d/%d (epoch %d/%d)  %.1f it/s  ETA %@  %@", step, totalSteps, epoch, epochs, rate,
                         Self.clock(eta), lossText))
            fflush(stdout)  // a log file or pipe should see progress as it happens
        }
    }

    /// Prints a message on its own line (ending a terminal bar first).
    func message(_ text: String) {
        guard !quiet else { return }
        if isTerminal { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) }
        print(text)
        fflush(stdout)
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
