// swift-tools-version:6.0
import PackageDescription

// Module layout and import direction are fixed in DESIGN.md:
// vmfile → Lifecycle/Builder → Spec, Boxes, Provisioner, Hypervisor, Net → C shims.
// Only Hypervisor touches CLibvirt; only Provisioner touches CLibssh; Spec imports nothing of ours.
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
    ],
    targets: [
        .target(name: "Spec", dependencies: [.product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "vmfile",
            dependencies: [
                "Spec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SpecTests", dependencies: ["Spec"]),
        .systemLibrary(name: "CLibssh", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .target(
            name: "Provisioner",
            dependencies: ["CLibssh", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "ProvisionerTests", dependencies: ["Provisioner"]),
    ]
)
