import ArgumentParser
import Foundation
import MirageModels
import MirageMPI

/// The `mirage` command: train, sample, evaluate and benchmark generative models.
///
/// The executable calls ``main()``; a program or test that registers its own models can run any
/// command in process:
///
/// ```swift
/// ModelRegistry.register(MyModelKind.self)
/// var command = try Mirage.parseAsRoot(["sample", "runs/mine", "--count", "16", "--out", "mine.npy"])
/// try command.run()
/// ```
public struct Mirage: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mirage",
        abstract: "Deep generative models in Swift: train, sample, evaluate, benchmark.",
        version: "0.1.0",
        subcommands: [Train.self, Sample.self, Translate.self, Eval.self, Import.self, Report.self, Bench.self, DataCommand.self]
    )

    public init() {}

    /// Runs the command line this process was started with, and exits.
    public static func main() {
        OpenMPWaitPolicy.applyBeforeStart()
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Started by mpirun: `mirage train` trains with the processes it started. Every other
        // command is one process's work, which N copies would only repeat into the same files.
        if MPIProcessGroup.launchedByMPI {
            guard arguments.first == "train" || arguments.isEmpty || arguments.contains("--help") else {
                FileHandle.standardError.write(Data("Error: mirage \(arguments[0]) runs in one process; start it without mpirun (only mirage train trains with several)\n".utf8))
                exit(withError: ExitCode.validationFailure)
            }
            DistributedTraining.world = { try MPIProcessGroup.world() }
        }
        // `mirage sample RUN --help`: the options of the run's own model, which the parser cannot
        // know before the run is read.
        if arguments.first == "sample", arguments.contains(where: { $0 == "--help" || $0 == "-h" }),
           let run = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }), let help = Sample.help(forRun: run) {
            print(help)
            return
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            if let clearer = explainModelOption(error, arguments: arguments) {
                FileHandle.standardError.write(Data("Error: \(clearer)\n".utf8))
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            // Found by the command once it had read the run or the data: the message says what to
            // change, and the root command's usage line would not help.
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            exit(withError: ExitCode.validationFailure)
        } catch {
            if let clearer = explainModelOption(error, arguments: arguments) {
                FileHandle.standardError.write(Data("Error: \(clearer)\n".utf8))
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
    }
}
