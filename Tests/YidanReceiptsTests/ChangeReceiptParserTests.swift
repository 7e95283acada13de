import Foundation
import Testing
import YidanCore
import YidanReceipts
import YidanStore

/// Receipts of cancels (CEB624) and returns (CEB626), from the official samples.
@Suite struct ChangeReceiptParserTests {
    @Test(arguments: [ReceiptKind.ceb624, .ceb626])
    func readsTheOfficialSamples(kind: ReceiptKind) throws {
        let bytes = try Data(contentsOf: importSamples.appendingPathComponent("\(kind.rootElement).xml"))
        let records = try ReceiptParser.parse(bytes, channel: "inbox")
        #expect(!records.isEmpty)
        for record in records {
            #expect(record.kind == kind)
            #expect(kind.answers == (kind == .ceb624 ? .ceb623 : .ceb625))
            #expect(record.messageGuid.count == 36)
            #expect(!record.businessNo.isEmpty)
            #expect(!record.returnStatus.isEmpty)
            #expect(record.returnTime.count == 17)
        }
    }
}
