import ArgumentParser
import Foundation
import Lifecycle
import Provisioner

/// `--provision`, `--no-provision` and `--provision-with` of `up` and `reload`, as in Vagrant.
struct ProvisionOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Run every once and always step (--provision), or none, not even always ones (--no-provision). "
            + "Default: always steps, plus once steps on a machine's first provisioning."))
    var provision: Bool?

    @Option(name: .customLong("provision-with"), parsing: .singleValue, help: ArgumentHelp(
        "Run only these steps (comma-separated or repeated), never-steps included.", valueName: "name"))
    var provisionWith: [String] = []

    func validate() throws {
        if provision == false && !provisionWith.isEmpty {
            throw ValidationError("--no-provision and --provision-with contradict each other; use one")
        }
    }

    /// The steps named with `--provision-with`, commas split.
    var names: [String] { StepNames.split(provisionWith) }

    /// What these flags ask for.
    var request: ProvisionRequest {
        if !names.isEmpty { return .named(names) }
        switch provision {
        case true?: return .all
        case false?: return .none
        case nil: return .onBoot
        }
    }
}

/// Step-name lists from the command line.
enum StepNames {
    /// `["a,b", "c"]` → `["a", "b", "c"]`, empties dropped.
    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }
}
