import Testing
@testable import Lifecycle

/// The domain metadata vmfile writes is the metadata it reads back.
struct MachineMetadataFieldsTests {
    @Test func fieldsRoundTrip() {
        let metadata = MachineMetadata(projectPath: "/p/Vmfile", projectID: "abc123", machine: "web", box: "tiny",
                                       boxVersion: "1.0.0", managementMAC: "52:54:00:01:02:03", networks: ["lab", "dmz"])
        #expect(metadata.fields["mac"] == "52:54:00:01:02:03")
        #expect(metadata.fields["networks"] == "lab,dmz")
        #expect(MachineMetadata(fields: metadata.fields) == metadata)
    }

    @Test func missingFieldsReadAsEmpty() {
        let read = MachineMetadata(fields: ["machine": "web"])
        #expect(read.machine == "web" && read.projectPath.isEmpty && read.networks.isEmpty)
        #expect(Set(MachineMetadata(fields: [:]).fields.keys) == Set(MachineMetadata.Field.allCases.map(\.rawValue)))
    }
}
