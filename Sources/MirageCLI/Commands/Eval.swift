import ArgumentParser

extension Mirage {
    /// `mirage eval`: scores generated samples and trains the judge classifier behind the scores.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Evaluate generated samples: Fréchet distance, class coverage, precision and recall, mode coverage.",
            discussion: """
            The measures use MNISTJudge, a small CNN shipped in Data/judge/ (see docs/guide/evaluation.md).

            Examples:
              mirage eval samples samples.npy
              mirage eval samples --real mnist-train --count 10000
              mirage eval train-judge --epochs 3
              mirage eval nll runs/vae --samples 1000
              mirage eval reconstruction runs/dae
              mirage eval translation runs/pix2pix
              mirage eval modes runs/pacgan4 --dataset grid25
              mirage eval anomaly runs/vae-no1 --score nll
              mirage eval augment --labelled 100 --generator runs/cgan-100
              mirage eval ppl runs/stylegan
              mirage eval mixing runs/stylegan
            """,
            // One entry per subcommand file (EvalSamples.swift, EvalTrainJudge.swift, …).
            subcommands: [
                Samples.self,
                TrainJudge.self,
                NLL.self,
                Reconstruction.self,
                Translation.self,
                Modes.self,
                Anomaly.self,
                Augment.self,
                PPL.self,
                Mixing.self,
            ]
        )
    }
}
