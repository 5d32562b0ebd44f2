import ArgumentParser
import CDNNL
import Foundation
import MirageModels
import MirageTensor

/// The model targets of `mirage bench`: each model is timed in a child process of its own (so
/// its peak memory is its own), then its PyTorch peer, and the two are set side by side.
extension Mirage.Bench {
    /// One model's numbers from one side (Mirage or the peer), as its worker printed them.
    struct Measurement {
        var msPerStep: Double
        var peakMB: Double
        var flopsPerStep: Double?
        var extra: [String: Any]

        init(json line: String, from who: String) throws {
            let object = try Self.object(line, from: who)
            guard let ms = object["ms_per_step"] as? Double, let peak = object["peak_rss_mb"] as? Double else {
                throw ValidationError("\(who) printed no result line; its output ended with: \(line.suffix(300))")
            }
            msPerStep = ms
            peakMB = peak
            flopsPerStep = object["flops_per_step"] as? Double
            extra = object
        }

        /// The JSON object a worker printed as its last line.
        static func object(_ line: String, from who: String) throws -> [String: Any] {
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ValidationError("\(who) printed no result line; its output ended with: \(line.suffix(300))")
            }
            return object
        }
    }

    // MARK: Worker side

    /// Times one model (or raw sgemm) in this process and prints one JSON line.
    func runWorker(_ name: String) throws {
        if name == "sgemm" {
            print(jsonLine(["sgemm_gflops": rawSgemmGFLOPS(n: 1024)]))
            return
        }
        guard let model = ModelBenchmark.named(name) else {
            throw ValidationError("unknown benchmark model '\(name)'; known: \(ModelBenchmark.all.map(\.name).joined(separator: ", "))")
        }
        let step = try model.makeStep(seed: 0)
        for _ in 0..<3 { _ = step() }
        let n = model.timedSteps(steps)
        let flops0 = Kernels.flopCount
        var times: [Double] = []
        if profile { OpProfile.start() }
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6)
        }
        let profiled = profile ? OpProfile.stop() : []
        let flops = Double(Kernels.flopCount - flops0) / Double(n)
        var result: [String: Any] = ["model": name, "ms_per_step": median(times), "mean_ms_per_step": times.reduce(0, +) / Double(n),
                                     "steps": n, "flops_per_step": flops, "peak_rss_mb": peakResidentMB(),
                                     "threads": Kernels.threadCount]
        if profile {
            // Per step: the op, its calls, its milliseconds, the megabytes of its results.
            result["profile"] = profiled.map { row -> [String: Any] in
                ["op": row.op, "calls": Double(row.calls) / Double(n), "ms": row.seconds * 1e3 / Double(n),
                 "mb": Double(row.bytes) / 1e6 / Double(n)]
            }
        }
        print(jsonLine(result))
    }

    /// The median: one descheduled step on a shared machine moves the mean, not the median.
    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Raw `dnnl_sgemm` speed on n×n matrices, the ceiling the models' GFLOP/s are compared with.
    func rawSgemmGFLOPS(n: Int) -> Double {
        let a = Tensor.randn([n, n], generator: RandomGenerator(seed: 0))
        let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { c.deallocate() }
        let seconds = a.withUnsafeBufferPointer { pa in
            bestSeconds {
                _ = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), dnnl_dim_t(n), dnnl_dim_t(n),
                               dnnl_dim_t(n), 1, pa.baseAddress, dnnl_dim_t(n), pa.baseAddress, dnnl_dim_t(n),
                               0, c, dnnl_dim_t(n))
            }
        }
        return 2 * Double(n * n * n) / seconds / 1e9
    }

    /// The peak resident set of this process so far, in MiB.
    private func peakResidentMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
    }

    private func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Parent side

    /// Runs every model (and its peer), prints the table and returns the JSON report.
    func benchModels(_ models: [ModelBenchmark]) throws -> [String: Any] {
        let script = try peer.map { _ in try locatePeerScript() }
        let sgemmWorker = "the sgemm worker"
        guard let sgemm = try Measurement.object(try runSelf(worker: "sgemm"), from: sgemmWorker)["sgemm_gflops"] as? Double else {
            throw ValidationError("\(sgemmWorker) printed no sgemm_gflops")
        }
        let machine = Self.machineDescription()
        print("mirage bench: \(machine), \(threads) threads, \(rounds) rounds, Mirage kernels \(Kernels.instructionSet), raw dnnl_sgemm n=1024 \(format(sgemm, 1)) GFLOP/s")
        if let peer, let script { print("peer: \(peer) \(script)") }
        print("")
        let header = ["model", "Mirage ms", "peer ms", "ratio", "GFLOP/s", "% sgemm", "Mirage MB", "peer MB"]
        let widths = [18, 10, 9, 6, 8, 8, 10, 8]
        print(row(header, widths))

        var rows: [[String: Any]] = []
        var profiles: [(String, Double, [[String: Any]])] = []
        var ratios: [Double] = []
        var torchVersion: String?
        for model in models {
            // Rounds alternate the two sides, and each side keeps its best round: on a shared
            // machine a whole process can land on a slow stretch, which favours neither side.
            var mirageRounds: [Measurement] = [], peerRounds: [Measurement] = []
            for _ in 0..<rounds {
                mirageRounds.append(try Measurement(json: try runSelf(worker: model.name),
                                                    from: "mirage worker for \(model.name)"))
                if let peer, let script {
                    peerRounds.append(try Measurement(json: try runPeer(python: peer, script: script, model: model),
                                                      from: "the peer for \(model.name)"))
                    torchVersion = peerRounds.last?.extra["torch"] as? String
                }
            }
            let mirage = mirageRounds.min { $0.msPerStep < $1.msPerStep }!
            let peerResult = peerRounds.min { $0.msPerStep < $1.msPerStep }
            let miragePeak = mirageRounds.map(\.peakMB).max()!
            let gflops = (mirage.flopsPerStep ?? 0) / mirage.msPerStep / 1e6
            var entry: [String: Any] = [
                "model": model.name, "mirage_ms_per_step": mirage.msPerStep,
                "mirage_mean_ms_per_step": mirage.extra["mean_ms_per_step"] ?? 0,
                "mirage_peak_rss_mb": miragePeak, "gflop_per_step": (mirage.flopsPerStep ?? 0) / 1e9,
                "mirage_rounds_ms_per_step": mirageRounds.map(\.msPerStep),
                "mirage_gflops": gflops, "sgemm_share": gflops / sgemm,
            ]
            var ratioText = "-", peerMs = "-", peerMB = "-"
            if let p = peerResult {
                let ratio = p.msPerStep / mirage.msPerStep
                let peerPeak = peerRounds.map(\.peakMB).max()!
                ratios.append(ratio)
                entry["peer_ms_per_step"] = p.msPerStep
                entry["peer_mean_ms_per_step"] = p.extra["mean_ms_per_step"]
                entry["peer_peak_rss_mb"] = peerPeak
                entry["peer_rounds_ms_per_step"] = peerRounds.map(\.msPerStep)
                entry["ratio"] = ratio
                ratioText = format(ratio, 2)
                peerMs = format(p.msPerStep, 2)
                peerMB = format(peerPeak, 0)
            }
            if let profile = mirage.extra["profile"] as? [[String: Any]] {
                entry["mirage_profile"] = profile
                profiles.append((model.name, mirage.extra["mean_ms_per_step"] as? Double ?? mirage.msPerStep, profile))
            }
            rows.append(entry)
            print(row([model.name, format(mirage.msPerStep, 2), peerMs, ratioText, format(gflops, 1),
                       format(100 * gflops / sgemm, 0) + "%", format(miragePeak, 0), peerMB], widths))
        }
        for (name, ms, profile) in profiles { printProfile(name, msPerStep: ms, profile) }

        var report: [String: Any] = [
            "date": ISO8601DateFormatter().string(from: Date()), "machine": machine, "threads": threads,
            "instruction_set": Kernels.instructionSet, "steps": steps, "rounds": rounds, "sgemm_gflops": sgemm, "models": rows,
        ]
        if let torchVersion { report["torch"] = torchVersion }
        if !ratios.isEmpty {
            let geomean = Foundation.exp(ratios.map { Foundation.log($0) }.reduce(0, +) / Double(ratios.count))
            report["geomean_ratio"] = geomean
            print("")
            print("geometric mean of ratios (peer ms / Mirage ms): \(format(geomean, 2)); lowest: \(format(ratios.min()!, 2))")
        }
        return report
    }

    /// A model's top ops by time per step (of its fastest round; the rows are means, so their
    /// shares are of the mean step), as `--profile` prints them.
    private func printProfile(_ name: String, msPerStep: Double, _ profile: [[String: Any]], top: Int = 15) {
        print("")
        let total = profile.compactMap { $0["ms"] as? Double }.reduce(0, +)
        print("\(name): top ops by time per step (\(format(total, 2)) of the mean step's \(format(msPerStep, 2)) ms in ops)")
        let widths = [30, 8, 9, 6, 9]
        print(row(["op", "calls", "ms", "share", "MB out"], widths))
        for entry in profile.prefix(top) {
            let ms = entry["ms"] as? Double ?? 0
            print(row([entry["op"] as? String ?? "?", format(entry["calls"] as? Double ?? 0, 1), format(ms, 3),
                       format(100 * ms / max(msPerStep, 1e-9), 1) + "%", format(entry["mb"] as? Double ?? 0, 2)], widths))
        }
    }

    private func row(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { i, cw in
            let (cell, w) = cw
            let pad = String(repeating: " ", count: max(0, w - cell.count))
            return i == 0 ? cell + pad : pad + cell
        }.joined(separator: "  ")
    }

    private func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Runs `mirage bench --worker NAME` and returns the last line it printed.
    private func runSelf(worker name: String) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = String(threads)
        return try runProcess("/proc/self/exe", ["bench", "--worker", name, "--steps", String(steps)] + (profile ? ["--profile"] : []),
                              environment: env, what: "mirage worker for \(name)")
    }

    /// Runs the peer script for `model` with the user's own environment (not Mirage's OpenMP settings).
    private func runPeer(python: String, script: String, model: ModelBenchmark) throws -> String {
        try runProcess(python, [script, model.name, "--steps", String(steps), "--threads", String(threads)],
                       environment: OpenMPWaitPolicy.userEnvironment,
                       what: "the peer (\(python) \(script) \(model.name))")
    }

    private func runProcess(_ executable: String, _ arguments: [String], environment: [String: String],
                            what: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-bench-\(getpid())-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorLog) }
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorLog)
        do { try process.run() } catch {
            throw ValidationError("cannot start \(what): \(error.localizedDescription)")
        }
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let log = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(3).joined(separator: "\n")
            throw ValidationError("\(what) failed with exit status \(process.terminationStatus):\n\(tail)")
        }
        return output.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// `--peer-script`, or scripts/peer/bench_peer.py of the checkout this binary was built from,
    /// or of the current directory.
    private func locatePeerScript() throws -> String {
        if let peerScript {
            guard FileManager.default.fileExists(atPath: peerScript) else {
                throw ValidationError("--peer-script: no file at \(peerScript)")
            }
            return peerScript
        }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [checkout.appendingPathComponent("scripts/peer/bench_peer.py").path,
                          FileManager.default.currentDirectoryPath + "/scripts/peer/bench_peer.py"]
        guard let found = candidates.first(where: FileManager.default.fileExists(atPath:)) else {
            throw ValidationError("cannot find the peer script scripts/peer/bench_peer.py (looked in \(candidates.joined(separator: ", "))); pass --peer-script")
        }
        return found
    }

    /// "CPU model, N cores" from /proc/cpuinfo.
    static func machineDescription() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return "\(model), \(cores) cores"
    }
}
