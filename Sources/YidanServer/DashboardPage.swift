import Foundation
import YidanCore
import YidanStore

/// The desk's HTML, rendered on the server so the page is complete before
/// any script runs; `DashboardScript` then keeps it live.
enum DashboardPage {
    static func login(message: String?) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>yidan — sign in</title>
        <link rel="stylesheet" href="/dashboard/app.css"></head>
        <body><main class="login">
        <h1>yidan broker desk</h1>
        \(message.map { "<p class=\"notice\">\(HTMLText.escape($0))</p>" } ?? "")
        <form method="post" action="/login">
        <label>API key <input type="password" name="key" autocomplete="off" required></label>
        <button type="submit">Sign in</button>
        </form>
        <p>Or open <code>/?key=KEY</code> once; the key is kept in an HttpOnly cookie.</p>
        </main></body></html>
        """
    }

    static func desk(
        subject: String, role: String, counts: [Authority: [FilingStatus: Int]], filings: [FilingOverview], stuckBefore: Date,
        deadlineMinutes: Int, health: [(authority: String, breaker: String, line: String)]
    ) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>yidan — broker desk</title>
        <link rel="stylesheet" href="/dashboard/app.css"></head>
        <body data-deadline-minutes="\(deadlineMinutes)">
        <header><h1>yidan broker desk</h1>
        <span class="who">\(HTMLText.escape(role)) \(HTMLText.escape(subject))</span>
        <span id="live" class="live off">connecting…</span>
        <form method="post" action="/logout"><button type="submit">Sign out</button></form></header>
        <section><h2>Filings by authority and status</h2>\(countsTable(counts))</section>
        <section id="health"><h2>Authority health</h2><ul>\(health.map { "<li data-authority=\"\($0.authority)\" class=\"breaker-\($0.breaker)\"><b>\($0.authority)</b> <span>\(HTMLText.escape($0.line))</span></li>" }.joined())</ul>
        <p class="muted">Refused or undeliverable filings: <span id="failed-text">\(failed(counts))</span></p></section>
        <section><h2>Filings</h2>
        <form id="filters">
        <label>status <select name="status"><option value="">any</option>\(FilingStatus.allCases.map { "<option>\($0.rawValue)</option>" }.joined())</select></label>
        <label>authority <select name="authority"><option value="">any</option>\(Authority.allCases.map { "<option>\($0.rawValue)</option>" }.joined())</select></label>
        <label>kind <input name="kind" size="8" placeholder="CEB621"></label>
        <label>merchant <input name="merchant" size="12"></label>
        <label>order <input name="orderNo" size="18"></label>
        <label><input type="checkbox" name="stuck"> stuck only (no final receipt after \(deadlineMinutes) min)</label>
        <button type="submit">Filter</button>
        </form>
        <table id="filings"><thead><tr><th>order</th><th>merchant</th><th>kind</th><th>authority</th><th>status</th><th>attempts</th><th>last receipt</th><th>created</th></tr></thead>
        <tbody>\(filings.map { row($0, stuckBefore: stuckBefore) }.joined(separator: "\n"))</tbody></table>
        <p><button id="more" hidden>more</button></p>
        </section>
        <section id="order" hidden><h2>Order <span id="order-no"></span> <span id="order-status"></span></h2><div id="order-body"></div></section>
        <script src="/dashboard/app.js"></script>
        </body></html>
        """
    }

    static func countsTable(_ counts: [Authority: [FilingStatus: Int]]) -> String {
        let statuses = FilingStatus.allCases
        var html = "<table id=\"counts\"><thead><tr><th>authority</th>"
        html += statuses.map { "<th>\($0.rawValue)</th>" }.joined() + "</tr></thead><tbody>"
        for authority in Authority.allCases {
            html += "<tr data-authority=\"\(authority.rawValue)\"><th>\(authority.rawValue)</th>"
            html += statuses.map { status in
                let count = counts[authority]?[status] ?? 0
                return "<td data-status=\"\(status.rawValue)\"\(count == 0 ? " class=\"zero\"" : "")>\(count)</td>"
            }.joined()
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }

    static func failed(_ counts: [Authority: [FilingStatus: Int]]) -> String {
        Authority.allCases.map { authority in
            let row = counts[authority] ?? [:]
            let total = row.values.reduce(0, +)
            let failed = (row[.rejected] ?? 0) + (row[.dead] ?? 0)
            return "\(authority.rawValue) \(failed)/\(total) failed"
        }.joined(separator: " · ")
    }

    static func row(_ filing: FilingOverview, stuckBefore: Date) -> String {
        let stuck = filing.isStuck(deadline: stuckBefore)
        let last = filing.lastReturnStatus.map { $0 + (filing.lastReturnInfo.map { " " + $0 } ?? "") } ?? filing.lastError.map { "error: " + $0 } ?? ""
        return """
        <tr id="f-\(HTMLText.escape(filing.id))" data-filing="\(HTMLText.escape(filing.id))" data-order="\(HTMLText.escape(filing.orderNo))" class="status-\(filing.status.rawValue)\(stuck ? " stuck" : "")">\
        <td><a href="#" class="order-link">\(HTMLText.escape(filing.orderNo))</a></td><td>\(HTMLText.escape(filing.merchant ?? ""))</td>\
        <td>\(filing.kind.rawValue) \(filing.kind.label)</td><td>\(filing.authority.rawValue)</td>\
        <td class="status">\(filing.status.rawValue)</td><td class="attempts">\(filing.attempts)</td>\
        <td class="last">\(HTMLText.escape(last))</td><td>\(filing.createdAt.formatted(.iso8601))</td></tr>
        """
    }
}
