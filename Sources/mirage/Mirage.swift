import ArgumentParser

/// The `mirage` command: train, sample, evaluate and benchmark generative models.
@main
struct Mirage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirage",
        abstract: "Deep generative models in Swift: train, sample, evaluate, benchmark.",
        version: "0.1.0",
        subcommands: [Eval.self, Bench.self]
    )
}
