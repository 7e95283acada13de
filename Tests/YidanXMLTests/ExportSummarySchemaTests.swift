import Foundation
import Testing
import YidanXML

/// The summary messages of `Mappings/schemas/ceb-export.xsd` — CEB701 request,
/// CEB702 receipt, CEB792 result — against the official export XSD and samples.
///
/// Known defect (`../shared/reference/ceb/SOURCES.md`): the official CEB792 sample's
/// SummaryResultList has no `gseqno` (the XSD requires it, before `gnum`). The fix
/// applied in memory here is exactly: insert `<ceb:gseqno>N</ceb:gseqno>` right before
/// each `<ceb:gnum>N</ceb:gnum>`, N being that line's gnum. CEB701 and CEB702 validate
/// as shipped (their guids are lower case, which the 36-character rule does not catch).
@Suite("Export summary schema")
struct ExportSummarySchemaTests {
    static func sampleText(_ kind: String) throws -> String {
        String(decoding: try ExportSchemaTests.sampleData(kind), as: UTF8.self)
    }

    /// The CEB792 sample with `gseqno` inserted before every `gnum` (see the suite comment).
    static func repaired792() throws -> Data {
        let text = try sampleText("CEB792")
        let gnum = #/<ceb:gnum>(\d+)</ceb:gnum>/#
        let fixed = text.replacing(gnum) { "<ceb:gseqno>\($0.output.1)</ceb:gseqno><ceb:gnum>\($0.output.1)</ceb:gnum>" }
        try #require(fixed != text, "the CEB792 sample no longer has gnum lines: it changed")
        return Data(fixed.utf8)
    }

    @Test("CEB701 and CEB702 samples validate as shipped against both schemas", arguments: ["CEB701", "CEB702"])
    func shippedSampleValidates(kind: String) throws {
        for (name, schema) in try ExportSchemaTests.schemas() {
            let issues = try schema.validate(ExportSchemaTests.sampleData(kind))
            #expect(issues.isEmpty, "\(kind) against \(name): \(issues)")
        }
    }

    @Test("the CEB792 sample fails both schemas on the missing gseqno, and validates once it is added")
    func resultSampleNeedsGseqno() throws {
        for (name, schema) in try ExportSchemaTests.schemas() {
            let shipped = try schema.validate(ExportSchemaTests.sampleData("CEB792"))
            #expect(shipped.contains { $0.message.contains("gseqno") }, "\(name): \(shipped)")
            let repaired = try schema.validate(Self.repaired792())
            #expect(repaired.isEmpty, "\(name): \(repaired)")
        }
    }

    @Test("gseqno after gnum (the sample's order) fails both schemas")
    func gseqnoAfterGnumFails() throws {
        let text = try Self.sampleText("CEB792")
        let wrongOrder = text.replacing(#/<ceb:gnum>(\d+)</ceb:gnum>/#) { "<ceb:gnum>\($0.output.1)</ceb:gnum><ceb:gseqno>\($0.output.1)</ceb:gseqno>" }
        for (name, schema) in try ExportSchemaTests.schemas() {
            let issues = try schema.validate(Data(wrongOrder.utf8))
            #expect(issues.contains { $0.message.contains("gseqno") || $0.message.contains("gnum") }, "\(name): \(issues)")
        }
    }

    @Test("an entryId of 17 characters and a 701 without its consignor fail both schemas")
    func brokenSummaryFails() throws {
        let result = String(decoding: try Self.repaired792(), as: UTF8.self)
            .replacingOccurrences(of: "<ceb:declSeqNo>S20180508000000001</ceb:declSeqNo>",
                                  with: "<ceb:declSeqNo>S20180508000000001</ceb:declSeqNo><ceb:entryId>22482026100000001</ceb:entryId>")
        let request = try Self.sampleText("CEB701").replacingOccurrences(of: "<ceb:ebcCode>1105910159</ceb:ebcCode>", with: "")
        for (name, schema) in try ExportSchemaTests.schemas() {
            let resultIssues = try schema.validate(Data(result.utf8))
            #expect(resultIssues.contains { $0.message.contains("entryId") }, "\(name): \(resultIssues)")
            let requestIssues = try schema.validate(Data(request.utf8))
            #expect(requestIssues.contains { $0.message.contains("ebcCode") }, "\(name): \(requestIssues)")
        }
    }
}
