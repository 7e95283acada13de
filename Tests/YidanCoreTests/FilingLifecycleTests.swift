import Foundation
import Testing
@testable import YidanCore

@Suite("FilingLifecycle")
struct FilingLifecycleTests {
    /// Applies receipts in order the way the store does: keep the status when
    /// the lifecycle answers nil.
    func replay(_ start: FilingStatus, kind: MessageKind, _ reported: [FilingStatus]) -> FilingStatus {
        reported.reduce(start) { current, status in
            FilingLifecycle.onReceipt(current: current, kind: kind, reported: status) ?? current
        }
    }

    @Test("the normal order path 2 → 3 → 120 ends stored")
    func orderPath() {
        #expect(replay(.delivered, kind: .ceb311, [.declaring, .sentToCustoms, .stored]) == .stored)
    }

    @Test("the normal inventory path ends released, then closed is ignored after a terminal status")
    func inventoryPath() {
        let path: [FilingStatus] = [.declaring, .sentToCustoms, .stored, .reviewing, .inspecting, .concluded, .released]
        #expect(replay(.delivered, kind: .ceb621, path) == .released)
        #expect(FilingLifecycle.onReceipt(current: .released, kind: .ceb621, reported: .closed) == nil)
    }

    @Test("120 arriving before 2 moves to stored; the late 2 is ignored")
    func outOfOrder() {
        #expect(FilingLifecycle.onReceipt(current: .delivered, kind: .ceb621, reported: .stored) == .stored)
        #expect(FilingLifecycle.onReceipt(current: .stored, kind: .ceb621, reported: .declaring) == nil)
        #expect(replay(.delivered, kind: .ceb621, [.stored, .declaring, .sentToCustoms]) == .stored)
    }

    @Test("duplicates do not move", arguments: [FilingStatus.declaring, .sentToCustoms, .reviewing, .inspecting, .concluded])
    func duplicates(status: FilingStatus) {
        #expect(FilingLifecycle.onReceipt(current: status, kind: .ceb621, reported: status) == nil)
    }

    @Test("stored is terminal for order, payment and waybill but not for inventory")
    func storedTerminal() {
        for kind in [MessageKind.ceb311, .ceb411, .ceb511] {
            #expect(FilingLifecycle.onReceipt(current: .stored, kind: kind, reported: .rejected) == nil)
            #expect(FilingLifecycle.onReceipt(current: .stored, kind: kind, reported: .released) == nil)
        }
        #expect(FilingLifecycle.onReceipt(current: .stored, kind: .ceb621, reported: .released) == .released)
        #expect(FilingLifecycle.onReceipt(current: .stored, kind: .ceb621, reported: .rejected) == .rejected)
    }

    @Test("rejected comes from any non-terminal status")
    func rejectedFromAnywhere() {
        for kind in MessageKind.allCases {
            for current in FilingStatus.allCases where !current.isTerminal(for: kind) {
                #expect(FilingLifecycle.onReceipt(current: current, kind: kind, reported: .rejected) == .rejected)
            }
        }
    }

    @Test("nothing leaves a terminal status")
    func terminalIsFinal() {
        for kind in MessageKind.allCases {
            for current in FilingStatus.allCases where current.isTerminal(for: kind) {
                for reported in FilingStatus.allCases {
                    #expect(FilingLifecycle.onReceipt(current: current, kind: kind, reported: reported) == nil)
                }
            }
        }
    }

    @Test("800 after rejected is ignored")
    func releaseAfterRejection() {
        #expect(replay(.delivered, kind: .ceb621, [.declaring, .rejected, .released]) == .rejected)
    }

    @Test("a receipt that raced ahead of our HTTP response still moves a queued or sending filing")
    func receiptBeforeDelivery() {
        #expect(FilingLifecycle.onReceipt(current: .sending, kind: .ceb311, reported: .declaring) == .declaring)
        #expect(FilingLifecycle.onReceipt(current: .queued, kind: .ceb311, reported: .stored) == .stored)
        #expect(FilingLifecycle.onReceipt(current: .sending, kind: .ceb511, reported: .rejected) == .rejected)
        // The late HTTP answer then leaves it where the receipt put it.
        #expect(FilingLifecycle.onDelivery(current: .declaring, decision: .delivered) == nil)
        #expect(FilingLifecycle.onDelivery(current: .stored, decision: .dead(reason: "HTTP 400")) == nil)
        #expect(FilingLifecycle.onDelivery(current: .rejected, decision: .retry(at: Date(), reason: "HTTP 503")) == nil)
    }

    @Test("receipts never report our own delivery statuses")
    func nonReceiptStatuses() {
        for reported in [FilingStatus.queued, .sending, .delivered, .dead] {
            #expect(FilingLifecycle.onReceipt(current: .queued, kind: .ceb311, reported: reported) == nil)
            #expect(FilingLifecycle.onReceipt(current: .delivered, kind: .ceb621, reported: reported) == nil)
        }
    }

    @Test("every move the lifecycle makes goes to a higher rank")
    func monotonic() {
        for kind in MessageKind.allCases {
            for current in FilingStatus.allCases {
                for reported in FilingStatus.allCases {
                    if let next = FilingLifecycle.onReceipt(current: current, kind: kind, reported: reported) {
                        #expect(next.rank > current.rank)
                    }
                }
            }
        }
    }

    @Test("delivery outcomes move only filings awaiting delivery")
    func delivery() {
        let at = Date(timeIntervalSince1970: 0)
        #expect(FilingLifecycle.onDelivery(current: .sending, decision: .delivered) == .delivered)
        #expect(FilingLifecycle.onDelivery(current: .sending, decision: .retry(at: at, reason: "HTTP 503")) == .queued)
        #expect(FilingLifecycle.onDelivery(current: .sending, decision: .dead(reason: "HTTP 400")) == .dead)
        #expect(FilingLifecycle.onDelivery(current: .queued, decision: .delivered) == .delivered)
        #expect(FilingLifecycle.onDelivery(current: .delivered, decision: .delivered) == nil)
        #expect(FilingLifecycle.onDelivery(current: .dead, decision: .delivered) == nil)
    }

    @Test("claims take only filings awaiting delivery")
    func claim() {
        #expect(FilingLifecycle.onClaim(current: .queued) == .sending)
        #expect(FilingLifecycle.onClaim(current: .sending) == .sending)
        for status in FilingStatus.allCases where !status.isAwaitingDelivery {
            #expect(FilingLifecycle.onClaim(current: status) == nil)
        }
    }
}
