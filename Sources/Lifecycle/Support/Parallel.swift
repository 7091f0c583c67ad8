import Foundation

/// Runs blocking per-machine work on one thread per item and waits for all of them.
///
/// libvirt and libssh calls block; on the cooperative pool (one thread per core, two here) three
/// machines would wait for each other. A dedicated thread per machine lets them boot together.
enum Parallel {
    /// Calls `body` for every item concurrently; returns results in the items' order.
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) -> Output
    ) -> [Output] {
        if items.count == 1, let only = items.first { return [body(only)] }
        let results = ResultSlots<Output>(count: items.count)
        let group = DispatchGroup()
        for (index, item) in items.enumerated() {
            group.enter()
            let thread = Thread {
                results.set(index, body(item))
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
        return results.values()
    }
}

/// Thread-safe result slots filled by `Parallel.map`.
private final class ResultSlots<Output: Sendable>: @unchecked Sendable {
    // Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var slots: [Output?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Output) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func values() -> [Output] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
