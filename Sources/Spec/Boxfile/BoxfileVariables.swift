/// Why `--var` overrides cannot be applied; lists every problem at once.
public struct BoxfileVariableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line per problem, each saying what to do.
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "\n") }
}

extension Boxfile {
    /// Every variable's value: its default, replaced by `overrides` (from `--var name=value`).
    /// - Throws: `BoxfileVariableError` naming each override the Boxfile does not declare (with a
    ///   suggestion) and each required variable (declared without a default) that got no value.
    public func resolveVariables(overrides: [String: String]) throws(BoxfileVariableError) -> [String: String] {
        let declared = variables.map(\.name)
        var problems: [String] = []
        for name in overrides.keys.sorted() where !declared.contains(name) {
            let hint = declared.isEmpty
                ? "the Boxfile declares no variables; add `variables: {\(name): default}`"
                : Suggestions.hint(for: name, in: declared, listing: "declared variables")
            problems.append("--var \(name): \(path) declares no variable `\(name)`; \(hint)")
        }
        var values: [String: String] = [:]
        for variable in variables {
            if let value = overrides[variable.name] ?? variable.defaultValue {
                values[variable.name] = value
            } else {
                problems.append("variable `\(variable.name)` has no default; pass --var \(variable.name)=VALUE")
            }
        }
        guard problems.isEmpty else { throw BoxfileVariableError(problems: problems) }
        return values
    }

    /// The values for expanding this Boxfile's templates during a build.
    public func templateValues(httpIP: String, httpPort: Int, variables: [String: String]) -> TemplateValues {
        TemplateValues(httpIP: httpIP, httpPort: httpPort, name: buildName, variables: variables)
    }

    /// `["name=value", …]` as given to `--var` (the value may contain `=`; a repeated name: the last wins).
    /// - Throws: `BoxfileVariableError` for each argument without `=` or with an empty name.
    public static func parseOverrides(_ arguments: [String]) throws(BoxfileVariableError) -> [String: String] {
        var values: [String: String] = [:]
        var problems: [String] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                problems.append("--var \(argument): write --var name=value")
                continue
            }
            values[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
        }
        guard problems.isEmpty else { throw BoxfileVariableError(problems: problems) }
        return values
    }
}
