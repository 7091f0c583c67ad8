/// Checks across machines: at most one `primary`.
enum MachineRules {
    static func checkPrimary(_ machines: [Machine], context: LoadContext) {
        let primaries = machines.filter(\.primary)
        guard let first = primaries.first else { return }
        for extra in primaries.dropFirst() {
            context.log.error("machine `\(extra.name)` is marked primary, but so is `\(first.name)`",
                              at: context.position("machines.\(extra.name).primary", or: "machines.\(extra.name)"),
                              hint: "mark only one machine `primary: true`")
        }
    }
}
