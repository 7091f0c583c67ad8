/// How QEMU runs guest code.
public enum Accelerator: String, Sendable, Equatable, CaseIterable {
    /// Hardware virtualisation through /dev/kvm. Domain type `kvm`.
    case kvm
    /// QEMU's software emulator. Domain type `qemu`; much slower.
    case tcg

    /// The libvirt `<domain type='…'>` value.
    public var domainType: String {
        switch self {
        case .kvm: return "kvm"
        case .tcg: return "qemu"
        }
    }
}

/// The accelerator to use and why, so the CLI can warn once when it is TCG.
public struct AcceleratorChoice: Sendable, Equatable {
    /// The chosen accelerator.
    public var accelerator: Accelerator
    /// One line for humans: why this accelerator, e.g. "KVM not usable here (nested PVM host): using TCG (slower)".
    public var reason: String
    /// True when the answer came from the cache rather than from fresh checks.
    public var cached: Bool

    public init(accelerator: Accelerator, reason: String, cached: Bool = false) {
        self.accelerator = accelerator
        self.reason = reason
        self.cached = cached
    }

    /// True when the user should see `reason` as a warning (TCG chosen without being asked for).
    public var shouldWarn: Bool { accelerator == .tcg && !reason.hasPrefix("VMFILE_ACCEL") }
}

/// The host facts accelerator detection depends on; gathered from the system or injected by tests.
public struct AcceleratorFacts: Sendable, Equatable {
    /// The `VMFILE_ACCEL` value, if set.
    public var override: String?
    /// True when `/dev/kvm` exists.
    public var devKVMExists: Bool
    /// True when `/dev/kvm` opens read-write for this user.
    public var devKVMOpenable: Bool
    /// True when `/sys/module/kvm_pvm` exists: a nested PVM host, where guests hang.
    public var pvmModulePresent: Bool
    /// `uname -r`, part of the cache key.
    public var kernelRelease: String

    public init(override: String? = nil, devKVMExists: Bool, devKVMOpenable: Bool, pvmModulePresent: Bool, kernelRelease: String) {
        self.override = override
        self.devKVMExists = devKVMExists
        self.devKVMOpenable = devKVMOpenable
        self.pvmModulePresent = pvmModulePresent
        self.kernelRelease = kernelRelease
    }

    /// The cache key: a cached probe result is valid only for the same kernel and device facts.
    public var cacheKey: String {
        "v1 kernel=\(kernelRelease) kvm=\(devKVMExists ? 1 : 0) open=\(devKVMOpenable ? 1 : 0) pvm=\(pvmModulePresent ? 1 : 0)"
    }
}
