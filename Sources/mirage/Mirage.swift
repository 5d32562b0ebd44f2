import ArgumentParser
import Foundation

/// The `mirage` command: train, sample, evaluate and benchmark generative models.
@main
struct Mirage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirage",
        abstract: "Deep generative models in Swift: train, sample, evaluate, benchmark.",
        version: "0.1.0",
        subcommands: [Train.self, Sample.self, Translate.self, Eval.self, Import.self, Report.self, Bench.self, DataCommand.self]
    )

    static func main() {
        OpenMPWaitPolicy.applyBeforeStart()
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if let clearer = explainModelOption(error, arguments: arguments) {
                FileHandle.standardError.write(Data("Error: \(clearer)\n".utf8))
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
    }
}
