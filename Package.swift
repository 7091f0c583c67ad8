// swift-tools-version:6.0
import PackageDescription

// Module layout and import direction are fixed in DESIGN.md:
// vmfile → Lifecycle/Builder → Spec, Boxes, Provisioner, Hypervisor, Net → HostSupport → C shims.
// Only Hypervisor touches CLibvirt; only Provisioner touches CLibssh; Spec and HostSupport import
// nothing of ours. HostSupport holds what is host-wide rather than box- or libvirt-specific: starting
// child processes, file locks, VMFILE_HOME, stable hashes, the shared error shape.
// scripts/check-imports checks the import lines against this order.
let package = Package(
    name: "vmfile",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vmfile", targets: ["vmfile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CLibvirt", pkgConfig: "libvirt", providers: [.apt(["libvirt-dev"])]),
        .systemLibrary(name: "CLibssh", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .target(name: "HostSupport"),
        .target(name: "Spec", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Boxes", dependencies: ["Spec", "HostSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Hypervisor", dependencies: [
            "CLibvirt", "Spec", "HostSupport", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Provisioner", dependencies: ["CLibssh", "Spec", "HostSupport", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Net", dependencies: ["Spec", "HostSupport"]),
        .target(name: "Lifecycle", dependencies: ["Spec", "Boxes", "Hypervisor", "Net", "Provisioner", "HostSupport"]),
        .target(name: "Builder", dependencies: ["Spec", "Boxes", "Provisioner", "Hypervisor", "Net", "HostSupport"]),
        // The CLI reaches libvirt and networks only through Lifecycle and Builder (DESIGN.md); MemberImportVisibility
        // makes the compiler refuse members of modules it does not import, not just the import lines.
        .executableTarget(
            name: "vmfile",
            dependencies: [
                "Spec", "Boxes", "Provisioner", "Lifecycle", "Builder", "HostSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // Helpers several test targets share (seeded randomness); never linked into the product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HostSupportTests", dependencies: ["HostSupport"]),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "BoxesTests", dependencies: ["Boxes", "Spec"]),
        .testTarget(name: "HypervisorTests", dependencies: ["Hypervisor", "Spec"]),
        .testTarget(name: "NetTests", dependencies: ["Net", "Spec"]),
        .testTarget(name: "ProvisionerTests", dependencies: ["Provisioner", "Spec"]),
        .testTarget(name: "LifecycleTests", dependencies: ["Lifecycle", "Boxes", "Hypervisor", "Net", "Provisioner", "Spec"]),
        .testTarget(name: "BuilderTests", dependencies: ["Builder", "Boxes", "Hypervisor", "Provisioner", "Spec"]),
        // The CLI's own logic (option groups, parsing); a testable executable, so no libvirt is opened.
        .testTarget(name: "vmfileTests", dependencies: ["vmfile", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ]
)
