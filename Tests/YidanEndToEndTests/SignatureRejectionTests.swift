import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRouter
import YidanSimulator
import YidanStore

/// The simulator checks every signature and refuses a bad one with the code
/// the 202205 specification gives (§7 错误信息): −621029 验签失败！ for an
/// inventory (table 7-2), 1001 数字签名无效 for an order, payment or waybill
/// (table 7-1, the data-exchange platform's security error). yidan must end
/// the filing `rejected` with that code.
///
/// The bad signature is made the way it happens in practice: the signed
/// bytes are altered after signing (one amount changed), between yidan's
/// signing step and the outbox, using the public prepare/accept split of
/// `OrderIntake`. Everything else — store, dispatcher, libcurl, simulator,
/// receipts — is the real thing over loopback.
@Suite struct SignatureRejectionTests {
    /// Changes the first digit of the first `<ceb:freight>` text: the
    /// document stays schema-valid, so only the signature can catch it.
    static func alterAmount(_ payload: Data) throws -> Data {
        let xml = String(decoding: payload, as: UTF8.self)
        let open = try #require(xml.range(of: "<ceb:freight>"), "no ceb:freight in the payload")
        let digit = try #require(xml[open.upperBound...].first)
        let replacement: Character = digit == "7" ? "8" : "7"
        let digitRange = open.upperBound..<xml.index(after: open.upperBound)
        return Data(xml.replacingCharacters(in: digitRange, with: String(replacement)).utf8)
    }

    /// Files one fixture order whose `kind` filing was altered after signing,
    /// runs the deployment until the customs filings of `awaited` kinds are
    /// final, and returns the customs filings and the store (kept in `folder`,
    /// which the caller removes).
    static func fileWithAlteredSignature(
        _ kind: MessageKind, awaiting awaited: Set<MessageKind> = Set(MessageKind.importDeclaration), in folder: URL
    ) async throws -> (filings: [FilingRecord], store: any FilingStore) {
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        var prepared = try await environment.intake.prepare(order)
        let index = try #require(prepared.submission.filings.firstIndex { $0.kind == kind })
        let signed = prepared.submission.filings[index].payload
        let altered = try alterAmount(signed)
        #expect(altered != signed)
        prepared.submission.filings[index].payload = altered
        prepared.submission.filings[index].idempotencyKey = OrderIntake.idempotencyKey(altered)
        _ = try await environment.intake.accept(prepared)

        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(20))
        let store = environment.store
        // The customs filings are what this is about; tax and FX filings go
        // to their own authorities and are not waited for here.
        let customsFilings = { try await Harness.allFilings(store).filter { $0.kind.authority == .customs } }
        let done = try await Harness.eventually(timeout: .seconds(60)) {
            try await customsFilings().filter { awaited.contains($0.kind) }.allSatisfy(Harness.isFinal)
        }
        let filings = try await customsFilings()
        await deployment.stop()
        #expect(done, "filings still open: \(filings.filter { awaited.contains($0.kind) && !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
        return (filings, store)
    }

    @Test func anInventoryAlteredAfterSigningIsRejectedWithMinus621029() async throws {
        let folder = try Harness.temporaryFolder("badsig-621")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (filings, store) = try await Self.fileWithAlteredSignature(.ceb621, in: folder)
        #expect(filings.count == 4)
        let inventory = try #require(filings.first { $0.kind == .ceb621 })
        #expect(inventory.status == .rejected)
        #expect(inventory.lastReturnStatus == "-621029")
        #expect(inventory.lastReturnInfo?.hasPrefix("验签失败！") == true, "\(inventory.lastReturnInfo ?? "")")
        // The refusal is the only receipt: nothing was declared or released.
        #expect(try await store.receipts(filingID: inventory.id).map(\.returnStatus) == ["-621029"])
        // The order, payment and waybill were signed correctly and went through.
        for filing in filings where filing.kind != .ceb621 {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? "")")
        }
    }

    @Test func anOrderAlteredAfterSigningIsRejectedWith1001() async throws {
        let folder = try Harness.temporaryFolder("badsig-311")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The inventory is not waited for: customs would refuse it (100) only
        // after the embedded deployment's 30-second three-document match window.
        let (filings, store) = try await Self.fileWithAlteredSignature(.ceb311, awaiting: [.ceb311, .ceb411, .ceb511], in: folder)
        #expect(filings.count == 4)
        let order = try #require(filings.first { $0.kind == .ceb311 })
        #expect(order.status == .rejected)
        #expect(order.lastReturnStatus == "1001")
        #expect(order.lastReturnInfo?.hasPrefix("数字签名无效") == true, "\(order.lastReturnInfo ?? "")")
        #expect(try await store.receipts(filingID: order.id).map(\.returnStatus) == ["1001"])
        // Payment and waybill are fine; the inventory cannot match an order
        // customs never took, so it is never released.
        for kind in [MessageKind.ceb411, .ceb511] {
            let filing = try #require(filings.first { $0.kind == kind })
            #expect(filing.status == kind.finalSuccess, "\(kind.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? "")")
        }
        let inventory = try #require(filings.first { $0.kind == .ceb621 })
        #expect(inventory.status != .released)
        #expect(try await store.receipts(filingID: inventory.id).allSatisfy { $0.returnStatus != "800" })
    }
}
