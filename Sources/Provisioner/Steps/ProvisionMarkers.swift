import Foundation

/// What provisioning already did to one machine, kept in `.vmfile/machines/<name>/provisioned` (JSON).
/// `destroy` removes it with the machine's state; `up` clears it when it creates a fresh disk.
public struct ProvisionMarkers: Sendable {
    public struct State: Codable, Equatable, Sendable {
        /// Vagrant's sentinel: a provisioning run of all `once` steps finished, so a later `up` runs only
        /// `always` steps. Until then (first run failed, was killed, or `up --no-provision`), `up` runs the
        /// `once` steps not done yet.
        public var firstProvisioningComplete = false
        /// Marker keys (`global/NAME`, `machine/NAME`) of `once` steps that succeeded.
        public var completedOnce: [String] = []

        public init(firstProvisioningComplete: Bool = false, completedOnce: [String] = []) {
            self.firstProvisioningComplete = firstProvisioningComplete
            self.completedOnce = completedOnce
        }
    }

    /// The JSON file the state is kept in.
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// The recorded state; empty when there is none. An unreadable file counts as empty (steps run again
    /// rather than being skipped by mistake).
    public func load() -> State {
        guard let data = try? Data(contentsOf: url), let state = try? JSONDecoder().decode(State.self, from: data) else {
            return State()
        }
        return state
    }

    /// Records that the `once` step with `key` succeeded.
    public func recordOnce(_ key: String) throws {
        var state = load()
        guard !state.completedOnce.contains(key) else { return }
        state.completedOnce.append(key)
        try save(state)
    }

    /// Records that a full provisioning run finished.
    public func recordComplete() throws {
        var state = load()
        guard !state.firstProvisioningComplete else { return }
        state.firstProvisioningComplete = true
        try save(state)
    }

    /// Forgets everything (a new disk was never provisioned).
    public func clear() throws {
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    private func save(_ state: State) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try encoder.encode(state).write(to: url, options: .atomic)
        } catch {
            throw ProvisionError(.guest, "cannot record provisioning progress in \(url.path)",
                                 hint: "check that the project's .vmfile directory is writable", cause: error)
        }
    }
}
