internal import CLibvirt
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Helpers that run one libvirt call and, when it fails, read libvirt's thread-local last error in
/// the same synchronous call, before anything else can overwrite it.
enum Libvirt {
    /// Process-wide setup: thread-safe initialisation and no default error printing to stderr.
    private static let setUp: Bool = {
        _ = virInitialize()
        virSetErrorFunc(nil) { _, _ in }
        return true
    }()

    /// Runs the one-time libvirt setup; cheap after the first call.
    static func initialize() { _ = setUp }

    /// The current thread's last libvirt error as a `HypervisorError`, with `doing` prepended.
    static func lastError(_ doing: String, hint: String? = nil) -> HypervisorError {
        guard let error = virGetLastError() else {
            return HypervisorError(.unknown, "\(doing): libvirt reported no details" + (hint.map { ". \($0)" } ?? ""))
        }
        let text = error.pointee.message.map { String(cString: $0) } ?? "no message"
        let code = HypervisorError.Code(rawValue: error.pointee.code)
        virResetLastError()
        var message = "\(doing): \(text)"
        if let hint { message += ". \(hint)" }
        return HypervisorError(code, message, libvirtMessage: text)
    }

    /// Runs `body`; a nil result is a failure described by libvirt's last error.
    static func pointer<T>(_ doing: @autoclosure () -> String, hint: String? = nil, _ body: () -> T?) throws(HypervisorError) -> T {
        if let value = body() { return value }
        throw lastError(doing(), hint: hint)
    }

    /// Runs `body`; a negative result is a failure described by libvirt's last error.
    @discardableResult
    static func check(_ doing: @autoclosure () -> String, hint: String? = nil, _ body: () -> Int32) throws(HypervisorError) -> Int32 {
        let result = body()
        if result < 0 { throw lastError(doing(), hint: hint) }
        return result
    }

    /// Runs `body` returning a malloc'd C string owned by the caller; copies and frees it.
    static func string(_ doing: @autoclosure () -> String, _ body: () -> UnsafeMutablePointer<CChar>?) throws(HypervisorError) -> String {
        guard let raw = body() else { throw lastError(doing()) }
        defer { free(raw) }
        return String(cString: raw)
    }
}
