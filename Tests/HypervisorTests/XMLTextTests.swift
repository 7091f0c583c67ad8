import Testing
@testable import Hypervisor

@Suite struct XMLTextTests {
    @Test func escapesAndUnescapes() {
        let text = "a<b>&'\"c"
        #expect(XMLText.unescape(Substring(XMLText.escape(text))) == text)
        #expect(XMLText.unescape("&#x41;&#66;&unknown;") == "AB&unknown;")
    }

    @Test func readsElementsAndSections() {
        let xml = "<volume><target><path>/p/x</path><format type='qcow2'/></target><backingStore><path>/p/b</path><format type=\"raw\"/></backingStore></volume>"
        #expect(XMLText.elements("format", in: xml).map { $0["type"] } == ["qcow2", "raw"])
        #expect(XMLText.section("backingStore", in: xml).flatMap { XMLText.text(of: "path", in: $0) } == "/p/b")
        #expect(XMLText.section("target", in: xml).flatMap { XMLText.text(of: "path", in: $0) } == "/p/x")
        #expect(XMLText.elements("form", in: xml).isEmpty)
    }
}
