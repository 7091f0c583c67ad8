import Foundation
import Testing
@testable import Spec

@Suite struct LocatorTests {
    @Test func explicitFileWins() throws {
        try TemporaryDirectory.with(files: ["a/Custom.yml": "x", "Vmfile": "x"]) { directory in
            let found = try VmfileLocator.find(explicit: "a/Custom.yml", environment: ["VMFILE": "Vmfile"],
                                               cwd: directory.path)
            #expect(found == directory.path + "/a/Custom.yml")
        }
    }

    @Test func environmentBeatsTheSearch() throws {
        try TemporaryDirectory.with(files: ["env/Vmfile": "x", "Vmfile": "x"]) { directory in
            let found = try VmfileLocator.find(explicit: nil, environment: ["VMFILE": directory.path + "/env/Vmfile"],
                                               cwd: directory.path)
            #expect(found == directory.path + "/env/Vmfile")
        }
    }

    @Test func searchFindsTheNearestParent() throws {
        try TemporaryDirectory.with(files: ["Vmfile": "x", "project/Vmfile": "x"]) { directory in
            try directory.makeDirectory("project/src/deep")
            let found = try VmfileLocator.find(explicit: nil, environment: [:], cwd: directory.path + "/project/src/deep")
            #expect(found == directory.path + "/project/Vmfile")
        }
    }

    @Test func aDirectoryNamedVmfileIsSkipped() throws {
        try TemporaryDirectory.with(files: ["Vmfile": "x"]) { directory in
            try directory.makeDirectory("inner/Vmfile")
            let found = try VmfileLocator.find(explicit: nil, environment: [:], cwd: directory.path + "/inner")
            #expect(found == directory.path + "/Vmfile")
        }
    }

    @Test func missingExplicitFileNamesThePathAndTheFlag() throws {
        try TemporaryDirectory.with { directory in
            #expect {
                try VmfileLocator.find(explicit: "nope.yml", environment: [:], cwd: directory.path)
            } throws: { error in
                let text = "\(error)"
                return text.contains(directory.path + "/nope.yml") && text.contains("--file")
            }
            #expect {
                try VmfileLocator.find(explicit: nil, environment: ["VMFILE": "/no/such/Vmfile"], cwd: directory.path)
            } throws: { error in
                "\(error)".contains("/no/such/Vmfile") && "\(error)".contains("$VMFILE")
            }
        }
    }

    @Test func failedSearchListsEveryDirectoryItLookedIn() throws {
        try TemporaryDirectory.with { directory in
            try directory.makeDirectory("a/b")
            do {
                _ = try VmfileLocator.find(explicit: nil, environment: [:], cwd: directory.path + "/a/b")
                // A Vmfile in some ancestor of the temporary directory would end the search early.
            } catch let error as VmfileLocator.NotFound {
                #expect(error.searched.prefix(3) == [directory.path + "/a/b", directory.path + "/a", directory.path])
                #expect(error.searched.last == "/")
                #expect(error.description.contains("vmfile init"))
            }
        }
    }
}
