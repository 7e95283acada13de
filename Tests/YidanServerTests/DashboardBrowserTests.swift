import Foundation
import Testing
import YidanServer

/// The broker desk in a real headless chromium: sign in with `?key=`, see an
/// order filed through the API appear and move to released over SSE without
/// a reload, open its receipts, and keep a screenshot in `TestOutput/`.
@Suite("dashboard in headless chromium")
struct DashboardBrowserTests {
    static let orderRows = #"Array.from(document.querySelectorAll('tr[data-order="YD20261129-0001"]'))"#

    @Test("an order filed through the API appears on the desk and changes status live", .enabled(if: ChromiumDriver.shouldRun))
    func liveDesk() async throws {
        let harness = try await ServerHarness.start("browser", stepDelay: .milliseconds(150))
        let browser = try ChromiumDriver(profile: harness.folder.appendingPathComponent("chromium-profile"))
        do {
            let page = try browser.open(harness.baseURL.absoluteString + "/?key=" + harness.key("brokerA"))
            // Signed in (the cookie replaced ?key=), the stream connected, and no row for the order yet.
            #expect(try await browser.waitFor(#"document.querySelector('#live')?.textContent === 'live'"#, session: page))
            #expect(try browser.evaluate("location.search", session: page) as? String == "")
            #expect(try browser.evaluate("\(Self.orderRows).length", session: page) as? Int == 0)
            // A marker on the window: still there at the end means the page never reloaded.
            try browser.evaluate("window.__yidanMarker = 42", session: page)

            let filed = try await harness.request("POST", "/v1/orders", key: harness.key("merchantA"), body: try ServerHarness.order())
            #expect(filed.status == 201)
            #expect(try await browser.waitFor("\(Self.orderRows).length >= 1", session: page))
            let inventoryReleased = #"Array.from(document.querySelectorAll('tr[data-order="YD20261129-0001"]')).some(r => r.querySelector('td:nth-child(3)').textContent.startsWith('CEB621') && r.querySelector('.status').textContent === 'released')"#
            #expect(try await browser.waitFor(inventoryReleased, session: page, timeout: .seconds(30)))
            #expect(try browser.evaluate("window.__yidanMarker", session: page) as? Int == 42)
            #expect(try await browser.waitFor(#"document.querySelector('#counts tr[data-authority="customs"] td[data-status="released"]').textContent !== '0'"#, session: page))

            // Drill-down: the receipt history, codes explained in Chinese and English.
            try browser.evaluate(#"document.querySelector('tr[data-order="YD20261129-0001"] .order-link').click()"#, session: page)
            #expect(try await browser.waitFor(#"document.querySelector('#order-body').textContent.includes('放行') && document.querySelector('#order-body').textContent.includes('Inventory released')"#, session: page))

            let screenshot = ServerHarness.packageRoot.appendingPathComponent("TestOutput/dashboard.png")
            try browser.screenshot(session: page, to: screenshot)
            #expect(try Data(contentsOf: screenshot).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        } catch {
            await browser.close()
            await harness.stop()
            throw error
        }
        await browser.close()
        await harness.stop()
    }
}
