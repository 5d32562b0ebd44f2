import ArgumentParser

/// The `mirage` command: train, sample, evaluate and benchmark generative models.
@main
struct Mirage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirage",
        abstract: "Deep generative models in Swift: train, sample, evaluate, benchmark.",
        version: "0.1.0",
        subcommands: [Train.self, Sample.self, Eval.self, Bench.self, DataCommand.self]
    )

    static func main() {
        OpenMPWaitPolicy.applyBeforeStart()
        main(nil)
    }
}
