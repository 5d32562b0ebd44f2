import ArgumentParser
import Foundation
import MirageModels
import MirageNN

extension Mirage {
    /// `mirage import KIND WEIGHTS --out RUN`: a PyTorch state dict as a run folder.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Turn a PyTorch state dict (.safetensors) of a Mirage architecture into a run folder.",
            discussion: """
            The model of KIND is built with its default configuration, and the weights are \
            loaded into it as a strict state dict: keys named `<network>.<key>` as in a \
            Mirage checkpoint (`generator.fc.weight`, `discriminator.c1.weight`, \
            `encoder.mu.bias`, ...), that is, a PyTorch module whose submodules carry the \
            network names, saved with safetensors.torch.save_file(module.state_dict(), ...). \
            Every network the file names must match exactly (no key missing or extra, every \
            shape equal); a network the file does not name keeps its fresh initialisation, \
            and the command says so. The run folder then samples and evaluates like a \
            trained one (step 0). A model that samples from a moving average of its weights \
            (ddpm) starts that average at the imported weights: import the weights you sample \
            from (a PyTorch EMA's, say).

            Examples:
              mirage import dcgan generator.safetensors --out runs/dcgan-torch
              mirage sample runs/dcgan-torch --count 64 --out torch.npy --grid torch.png
            """
        )

        @Argument(help: ArgumentHelp("The model kind the weights are for.", valueName: "kind"))
        var kind: String

        @Argument(help: ArgumentHelp("The state dict, a .safetensors file.", valueName: "weights"))
        var weights: String

        @Option(help: "The run folder to create.")
        var out: String

        @Flag(help: "Replace the run the folder holds (its files only, as mirage train --overwrite does).")
        var overwrite = false

        func run() throws {
            let model = try ModelRegistry.make(kind: kind)
            let file = try Checkpoint.read(from: URL(fileURLWithPath: weights))
            let networks = model.networks.map(\.0)
            var imported: [String] = []
            for (name, net) in model.networks {
                let state = file.tensors(under: name)
                if state.isEmpty { continue }
                do {
                    try net.loadStateDict(state)
                } catch {
                    throw ValidationError("\(weights): the \(name) of \(kind) does not fit: \(error)")
                }
                imported.append(name)
            }
            let stray = file.tensors.keys.filter { key in !networks.contains { key.hasPrefix($0 + ".") } }.sorted()
            guard stray.isEmpty else {
                throw ValidationError("\(weights): keys outside \(kind)'s networks (\(networks.joined(separator: ", "))): "
                                      + stray.prefix(5).joined(separator: ", ") + (stray.count > 5 ? ", …" : ""))
            }
            guard !imported.isEmpty else {
                throw ValidationError("\(weights) has no keys for \(kind)'s networks (\(networks.joined(separator: ", "))); name them <network>.<key>")
            }
            let averaged = model as? any AveragedWeights
            averaged?.restartAverage()
            // The same claim as mirage train's: an earlier run's files (its config, metrics,
            // evaluations, f-AnoGAN encoder) must not outlive its checkpoint.
            let run = RunFolder(out)
            if run.holdsRun {
                guard overwrite else {
                    throw ValidationError("\(out) already holds a run; pass --overwrite to replace it")
                }
                try run.removeRun()
            }
            try run.create()
            try TrainingCheckpoint.save(model, kind: kind, step: 0, to: run.lastCheckpoint)
            print("imported \(imported.joined(separator: ", ")) of \(kind) from \(weights) into \(run.lastCheckpoint.path)")
            let fresh = networks.filter { !imported.contains($0) }
            if !fresh.isEmpty {
                print("not in the file, left as initialised: \(fresh.joined(separator: ", "))")
            }
            if averaged != nil { print("the moving average of the weights, which \(kind) samples from, starts at the imported weights") }
        }
    }
}
