extension MachineMetadata {
    /// The attributes of the vmfile element in a domain's `<metadata>`, as libvirt stores them.
    enum Field: String, CaseIterable {
        case project, projectID, machine, box, boxVersion, mac, networks
    }

    /// The attributes to write into the domain (networks comma-separated).
    var fields: [String: String] {
        [
            Field.project.rawValue: projectPath, Field.projectID.rawValue: projectID, Field.machine.rawValue: machine,
            Field.box.rawValue: box, Field.boxVersion.rawValue: boxVersion, Field.mac.rawValue: managementMAC,
            Field.networks.rawValue: networks.joined(separator: ","),
        ]
    }

    /// The metadata read back from a domain's attributes; a missing attribute is empty (no networks).
    init(fields: [String: String]) {
        func value(_ field: Field) -> String { fields[field.rawValue] ?? "" }
        self.init(projectPath: value(.project), projectID: value(.projectID), machine: value(.machine), box: value(.box),
                  boxVersion: value(.boxVersion), managementMAC: value(.mac),
                  networks: value(.networks).split(separator: ",").map(String.init))
    }
}
