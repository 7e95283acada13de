import Foundation
import YidanCore
import YidanStore

/// Follows the demo's orders in the store and prints each status change as
/// it happens; then a per-filing summary of the receipt codes received.
struct DemoProgress {
    let store: any FilingStore
    let orderNos: [String]
    let started = ContinuousClock.now

    /// Returns true when every filing reached a terminal status before the timeout.
    func follow(timeout: Duration) async -> Bool {
        var seen: [String: (FilingStatus, Int)] = [:]
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var all: [FilingRecord] = []
            for orderNo in orderNos {
                all += (try? await store.filings(orderNo: orderNo)) ?? []
            }
            for filing in all.sorted(by: { ($0.orderNo, $0.kind) < ($1.orderNo, $1.kind) }) {
                let key = filing.id
                let now = (filing.status, filing.attempts)
                if let previous = seen[key], previous.0 == now.0, previous.1 == now.1 { continue }
                seen[key] = now
                // Being claimed or waiting untried are not news; failures and receipts are.
                if filing.status == .sending || (filing.status == .queued && filing.lastError == nil) { continue }
                print(line(for: filing))
            }
            if !all.isEmpty, all.allSatisfy({ $0.status.isTerminal(for: $0.kind) }) { return true }
            if all.isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private func line(for filing: FilingRecord) -> String {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let stamp = String(format: "%6.2fs", seconds)
        var detail = ""
        if let code = filing.lastReturnStatus, filing.status.rank > FilingStatus.delivered.rank {
            detail = "\(code) \(filing.lastReturnInfo ?? "")"
        } else if filing.status == .queued, let error = filing.lastError {
            detail = "attempt \(filing.attempts) failed: \(error); will retry"
        } else if filing.status == .delivered {
            detail = "gateway took it (attempt \(filing.attempts))"
        } else if filing.status == .dead, let error = filing.lastError {
            detail = error
        }
        let kind = "\(filing.kind.rawValue) \(filing.kind.label)".padding(toLength: 27, withPad: " ", startingAt: 0)
        let status = filing.status.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
        return "\(stamp)  \(filing.orderNo)  \(kind)\(status)\(detail)"
    }

    /// `621` for CEB621; `TAX` and `FX` for the tax and FX filings.
    static func shortName(_ kind: MessageKind) -> String {
        switch kind.authority {
        case .customs: String(kind.rawValue.dropFirst(3))
        case .tax: "TAX"
        case .fx: "FX"
        }
    }

    /// Customs sends the tax bill (CEB816) just after release: give it a moment
    /// to arrive so the summary can show its reconciliation.
    func awaitTaxBills(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var missing = false
            for orderNo in orderNos {
                let filings = (try? await store.filings(orderNo: orderNo)) ?? []
                let released = filings.contains { $0.kind == .ceb621 && $0.status == .released }
                if released, ((try? await store.taxBills(orderNo: orderNo)) ?? []).isEmpty { missing = true }
            }
            if !missing { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `CEB621 inventory  621 → 2 → 120 → 399 → 800  released`,
    /// `TAX-IMPORT tax    TAX → 1 → 2                stored`
    func summary() async throws -> String {
        var lines = ["summary"]
        for orderNo in orderNos {
            // Declaration order: the customs messages, then the tax and FX filings.
            let position = { (kind: MessageKind) in MessageKind.allCases.firstIndex(of: kind) ?? MessageKind.allCases.count }
            let filings = try await store.filings(orderNo: orderNo).sorted(by: { position($0.kind) < position($1.kind) })
            let rollup = OrderRollup.status(of: filings.map {
                FilingSummary(kind: $0.kind, status: $0.status, lastReturnStatus: $0.lastReturnStatus, lastReturnInfo: $0.lastReturnInfo, lastError: $0.lastError)
            })
            lines.append("  \(orderNo): \(rollup)")
            for bill in try await store.taxBills(orderNo: orderNo) {
                lines.append("    " + TaxBillLines.render(bill).replacingOccurrences(of: "\n", with: "\n    "))
            }
            for filing in filings {
                let codes = try await store.receipts(filingID: filing.id).filter(\.moved).map(\.returnStatus)
                let path = ([Self.shortName(filing.kind)] + codes).joined(separator: " → ")
                let kind = "\(filing.kind.rawValue) \(filing.kind.label)".padding(toLength: 27, withPad: " ", startingAt: 0)
                lines.append("    \(kind)\(path.padding(toLength: 30, withPad: " ", startingAt: 0))  \(filing.status.rawValue), \(filing.attempts) attempt\(filing.attempts == 1 ? "" : "s")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
