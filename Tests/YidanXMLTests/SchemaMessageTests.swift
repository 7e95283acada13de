import Foundation
import Testing
@testable import YidanXML

/// `SchemaMessage.redactingValues` searches bytes, not Foundation ranges
/// (Benchmarks/RESULTS.md): libxml2's message shapes keep their words and lose their values.
@Suite("Schema messages: quoted values redacted")
struct SchemaMessageTests {
    @Test("every libxml2 value shape is redacted, names and facets stay", arguments: [
        ("Element '{urn:t}buyerIdNumber': [facet 'length'] The value '11010119900307' has a length of '14'; this differs from the allowed length of '18'.",
         "Element '{urn:t}buyerIdNumber': [facet 'length'] The value '***' has a length of '14'; this differs from the allowed length of '18'."),
        ("Element '{urn:t}amount': '12,50' is not a valid value of the atomic type 'xs:decimal'.",
         "Element '{urn:t}amount': '***' is not a valid value of the atomic type 'xs:decimal'."),
        ("Element '{urn:t}x': [facet 'enumeration'] The value 'ZZ' is not an element of the set {'A', 'B'}.",
         "Element '{urn:t}x': [facet 'enumeration'] The value '***' is not an element of the set {'A', 'B'}."),
        ("Element '{urn:t}x', attribute 'y': [facet 'pattern'] The actual value '张三' is bad.",
         "Element '{urn:t}x', attribute 'y': [facet 'pattern'] The actual value '***' is bad."),
        ("Element '{urn:t}CEB621Message': Missing child element(s). Expected is ( {http://www.w3.org/2000/09/xmldsig#}Signature ).",
         "Element '{urn:t}CEB621Message': Missing child element(s). Expected is ( {http://www.w3.org/2000/09/xmldsig#}Signature )."),
        ("The value '一二三 and 'x' twice: The value 'y'", "The value '***'x' twice: The value '***'"),
        ("The value 'unterminated", "The value 'unterminated"),
        ("", ""),
    ])
    func redaction(message: String, expected: String) {
        #expect(SchemaMessage.redactingValues(message) == expected)
    }
}
