import Testing
import YidanCore

@Suite struct OrderRollupTests {
    func filings(_ statuses: [MessageKind: FilingStatus]) -> [FilingSummary] {
        statuses.map { FilingSummary(kind: $0.key, status: $0.value) }
    }

    @Test func followsTheInventoryOnceAllFourAreOut() {
        #expect(OrderRollup.status(of: filings([.ceb311: .queued, .ceb411: .queued, .ceb511: .queued, .ceb621: .queued])) == .accepted)
        #expect(OrderRollup.status(of: filings([.ceb311: .delivered, .ceb411: .sending, .ceb511: .queued, .ceb621: .queued])) == .sending)
        #expect(OrderRollup.status(of: filings([.ceb311: .declaring, .ceb411: .delivered, .ceb511: .sentToCustoms, .ceb621: .delivered])) == .declared)
        #expect(OrderRollup.status(of: filings([.ceb311: .stored, .ceb411: .stored, .ceb511: .stored, .ceb621: .stored])) == .matched)
        #expect(OrderRollup.status(of: filings([.ceb311: .stored, .ceb411: .stored, .ceb511: .stored, .ceb621: .concluded])) == .concluded)
        #expect(OrderRollup.status(of: filings([.ceb311: .stored, .ceb411: .stored, .ceb511: .stored, .ceb621: .released])) == .released)
    }

    @Test func aRefusalOrAnUndeliverableFilingDecides() {
        let refused = [
            FilingSummary(kind: .ceb311, status: .stored),
            FilingSummary(kind: .ceb621, status: .rejected, lastReturnStatus: "100", lastReturnInfo: "三单对碰失败"),
        ]
        #expect(OrderRollup.status(of: refused) == .rejected(kind: .ceb621, returnStatus: "100", reason: "三单对碰失败"))
        #expect(OrderRollup.status(of: refused).description == "rejected (CEB621 inventory 100: 三单对碰失败)")
        let dead = [FilingSummary(kind: .ceb411, status: .dead, lastError: "HTTP 400"), FilingSummary(kind: .ceb311, status: .stored)]
        #expect(OrderRollup.status(of: dead) == .failed(kind: .ceb411, reason: "HTTP 400"))
        // A retry in progress is not "accepted" any more.
        #expect(OrderRollup.status(of: [FilingSummary(kind: .ceb311, status: .queued, lastError: "HTTP 503")]) == .sending)
    }
}
