import Foundation

/// Finds the folder that holds a dataset's files.
///
/// The lookup order is:
/// 1. an explicit folder (`--data-dir DIR` or a `dataDirectory:` argument);
/// 2. the `MIRAGE_DATA` environment variable;
/// 3. `Data/<name>` in the current directory or any folder above it;
/// 4. `Data/<name>` in the running executable's folder or any folder above it (so
///    `.build/release/mirage` finds the repository's `Data/` from anywhere);
/// 5. `Data/<name>` at the root of the source tree Mirage was built from.
///
/// An explicit folder and `MIRAGE_DATA` may point at the dataset's own folder (holding the
/// files) or at a folder holding `<name>/`. A folder counts only if every required file is
/// there, raw or with a `.gz` suffix (the first that holds them wins). Nothing found throws
/// ``DataError/datasetNotFound(name:searched:files:)``, which lists every folder searched.
///
/// ```swift
/// let folder = try DatasetLocator.locate("mnist", files: ["t10k-images-idx3-ubyte.gz"])
/// print(folder)   // /work/main/Data/mnist
/// ```
public enum DatasetLocator {
    /// The environment variable naming a data folder.
    public static let environmentVariable = "MIRAGE_DATA"

    /// Finds the folder holding `files` for the dataset `name`.
    ///
    /// - Parameters:
    ///   - name: The dataset's folder name under `Data/` (`mnist`, `cifar10`).
    ///   - files: File names that must all be present.
    ///   - dataDirectory: An explicit folder, searched alone when given.
    ///   - subfolders: Folders inside each candidate to try too, right after it (the
    ///     `cifar-10-batches-bin` of an unpacked archive).
    ///   - environment: The environment to read `MIRAGE_DATA` from (the process's by default).
    /// - Returns: The folder's path.
    /// - Throws: ``DataError/datasetNotFound(name:searched:files:)`` naming every folder tried.
    public static func locate(_ name: String, files: [String], dataDirectory: String? = nil, subfolders: [String] = [],
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let candidates = candidateFolders(name, dataDirectory: dataDirectory, environment: environment)
            .flatMap { folder in [folder] + subfolders.map { join(folder, $0) } }
        for folder in candidates where holdsAll(files, in: folder) {
            return folder
        }
        throw DataError.datasetNotFound(name: name, searched: candidates, files: files)
    }

    /// The path of `file` inside `folder`, or of `file` with `.gz` appended when only that exists.
    ///
    /// - Parameters:
    ///   - file: A file name.
    ///   - folder: The folder to look in.
    /// - Returns: The path that exists, or the plain path when neither does (reading it then
    ///   throws an error naming it).
    public static func path(of file: String, in folder: String) -> String {
        let plain = (folder as NSString).appendingPathComponent(file)
        if FileManager.default.fileExists(atPath: plain) { return plain }
        if FileManager.default.fileExists(atPath: plain + ".gz") { return plain + ".gz" }
        return plain
    }

    /// The folders tried for dataset `name`, in order, without duplicates.
    ///
    /// - Parameters:
    ///   - name: The dataset's folder name under `Data/`.
    ///   - dataDirectory: An explicit folder; when given it is the only place searched.
    ///   - environment: The environment to read `MIRAGE_DATA` from.
    /// - Returns: Absolute folder paths.
    public static func candidateFolders(_ name: String, dataDirectory: String? = nil,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let dataDirectory {
            return unique([dataDirectory, join(dataDirectory, name)].map(absolute))
        }
        var folders: [String] = []
        if let root = environment[environmentVariable], !root.isEmpty {
            folders += [root, join(root, name)].map(absolute)
        }
        folders += upward(from: FileManager.default.currentDirectoryPath, name: name)
        if let executable = executableFolder() {
            folders += upward(from: executable, name: name)
        }
        // This file is <root>/Sources/MirageData/Datasets/DatasetLocator.swift: drop four path components.
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        folders.append(root.appendingPathComponent("Data").appendingPathComponent(name).path)
        return unique(folders)
    }

    private static func holdsAll(_ files: [String], in folder: String) -> Bool {
        files.allSatisfy { FileManager.default.fileExists(atPath: path(of: $0, in: folder)) }
    }

    /// `start/Data/name`, `start/../Data/name`, … up to the file system's root.
    private static func upward(from start: String, name: String) -> [String] {
        var folders: [String] = []
        var url = URL(fileURLWithPath: start).standardizedFileURL
        while true {
            folders.append(url.appendingPathComponent("Data").appendingPathComponent(name).path)
            let parent = url.deletingLastPathComponent().standardizedFileURL
            if parent.path == url.path { break }
            url = parent
        }
        return folders
    }

    /// The running executable's folder, symbolic links resolved.
    private static func executableFolder() -> String? {
        let path = Bundle.main.executableURL?.path
            ?? CommandLine.arguments.first.flatMap { $0.isEmpty ? nil : absolute($0) }
        guard let path else { return nil }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    private static func join(_ a: String, _ b: String) -> String { (a as NSString).appendingPathComponent(b) }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    private static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }
}
