import Foundation

/// The host's network interfaces as `/sys/class/net` shows them. Reads only.
public struct HostInterfaces: Sendable {
    /// Root of the interface tree (a test can point it elsewhere).
    public var root: URL

    public init(root: URL = URL(fileURLWithPath: "/sys/class/net")) {
        self.root = root
    }

    /// Whether an interface called `name` exists.
    public func exists(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path)
    }

    /// Whether `name` is a Linux bridge.
    public func isBridge(_ name: String) -> Bool {
        exists(name) && FileManager.default.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("bridge").path)
    }

    /// Every interface name, sorted (for "did you mean" hints).
    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
    }
}
