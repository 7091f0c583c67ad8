import Foundation

/// Who watches shell steps run on one guest: a machine's `up`/`provision`, or a build.
public protocol StepObserver {
    /// A phase finished or began ("provision step 'setup' (once)", "back after reboot").
    func phase(_ message: String)
    /// A chunk of the running step's output, as it arrived (not split into lines).
    func output(_ stream: GuestStream, _ bytes: Data)
    /// The running step ended: an unfinished last line may be flushed.
    func outputFinished()
}
