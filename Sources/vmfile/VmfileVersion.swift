/// The version `vmfile --version` prints.
enum VmfileVersion {
    static let current = "0.1.0"
}
