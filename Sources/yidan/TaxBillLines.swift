import YidanStore

/// How `yidan status` shows a customs tax bill (CEB816) and its reconciliation.
enum TaxBillLines {
    static func render(_ bill: TaxBillRecord) -> String {
        var lines = ["tax bill \(bill.taxNo): \(bill.status.rawValue)" + (bill.note.map { " (\($0))" } ?? "")]
        for difference in bill.differences {
            lines.append("  " + difference.summary)
        }
        return lines.joined(separator: "\n")
    }
}
