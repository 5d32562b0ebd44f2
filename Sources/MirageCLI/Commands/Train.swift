import ArgumentParser
import Foundation
import MirageModels

extension Mirage {
    /// `mirage train <model>`: one subcommand per model of ``ModelRegistry``, each taking the shared
    /// run options and its own.
    struct Train: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                abstract: "Train a generative model.",
                discussion: """
                Every model trains through one loop. The run folder gets config.json, \
                checkpoints/last.safetensors, samples/epoch-NNN.png (sheets at fixed noise), \
                metrics.jsonl and loss.png. Ctrl-C saves a checkpoint; --resume continues exactly \
                where the run stopped. `mirage train <model> --help` lists the run options and that \
                model's own.

                Examples:
                  mirage train dcgan --epochs 5 --out runs/dcgan
                  mirage train vae --epochs 10 --batch-size 128 --lr 1e-3
                  mirage train dae --noise masking --steps 2000
                  mirage train dcgan --dataset mnist-inverted --steps 3000
                  mirage train dcgan --out runs/dcgan --resume
                """,
                subcommands: ModelRegistry.kinds.map { $0.trainCommand }
            )
        }
    }
}

/// A clearer message for `mirage train` errors that name models: an unknown model (which ones
/// exist), or an option that the chosen model does not take (which models take it).
///
/// - Parameters:
///   - error: The parser's error.
///   - arguments: The command line, without the program name.
/// - Returns: A replacement error, or `nil` to report `error` as it is.
func explainModelOption(_ error: Error, arguments: [String]) -> Error? {
    guard arguments.count >= 2, arguments[0] == "train" else { return nil }
    guard let kind = try? ModelRegistry.kind(named: arguments[1]) else {
        if arguments[1].hasPrefix("-") { return nil }
        return ValidationError("unknown model '\(arguments[1])'; choose one of \(ModelRegistry.names.joined(separator: ", "))")
    }
    let message = Mirage.message(for: error)
    guard let range = message.range(of: #"Unknown option '--[^']+'"#, options: .regularExpression) else { return nil }
    let option = message[range].dropFirst("Unknown option '--".count).dropLast()
    let takers = ModelRegistry.kinds(takingOption: String(option))
    guard !takers.isEmpty else { return nil }
    return ValidationError("--\(option) is not an option of \(kind.name); it is an option of \(takers.joined(separator: ", ")). "
                           + "See 'mirage train \(kind.name) --help'")
}
