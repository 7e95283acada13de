import Foundation
import GRDB
import Testing
import YidanCore
@testable import YidanTrace

@Suite("Trace store")
struct TraceStoreTests {
    func openStore(_ name: String) throws -> (TraceStore, URL) {
        let folder = try TraceFixtures.temporaryFolder(name)
        let path = folder.appendingPathComponent("yidan.sqlite")
        return (try TraceStore(path: path.path, vocabulary: TraceFixtures.vocabulary()), folder)
    }

    @Test("every shared example is captured; capturing again is idempotent")
    func captureExamples() async throws {
        let (store, folder) = try openStore("examples")
        defer { try? FileManager.default.removeItem(at: folder) }
        var total = 0
        for file in try TraceFixtures.exampleFiles() {
            let outcome = try await store.capture(document: Data(contentsOf: file))
            total += outcome.captured.count
        }
        // The GS1 9.6.1 document and the OpenEPCIS JSON and XML copies hold the same two events.
        #expect(total == 5)
        #expect(try await store.eventCount() == 5)
        let again = try await store.capture(document: Data(contentsOf: TraceFixtures.examples.appendingPathComponent("openepcis__ObjectEvent.json")))
        #expect(again.captured.isEmpty && again.duplicates.count == 2)
    }

    @Test("a capture with one invalid event stores nothing and names the field")
    func allOrNothing() async throws {
        let (store, folder) = try openStore("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = """
            {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
             "creationDate": "2026-11-29T10:00:00+08:00", "epcisBody": {"eventList": [
               {"type": "ObjectEvent", "eventTime": "2026-11-29T10:00:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "ADD",
                "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizStep": "commissioning"},
               {"type": "ObjectEvent", "eventTime": "2026-11-29T10:00:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
                "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizStep": "shipping"},
               {"type": "ObjectEvent", "eventTime": "2026-11-29T11:00:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
                "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizStep": "flying"}
             ]}}
            """
        let failure = await #expect(throws: ValidationFailure.self) {
            try await store.capture(document: Data(document.utf8))
        }
        let pointers = failure?.issues.map(\.pointer) ?? []
        #expect(pointers.contains("/epcisBody/eventList/1/eventTime"))
        #expect(pointers.contains("/epcisBody/eventList/2/bizStep"))
        #expect(try await store.eventCount() == 0)
    }

    @Test("verify catches an event edited with raw SQL and names the first broken link")
    func chainCatchesEditedRow() async throws {
        let (store, folder) = try openStore("chain")
        defer { try? FileManager.default.removeItem(at: folder) }
        let events = try OwnEventSamples.events()
        _ = try await store.capture(events, origin: .yidan)
        let intact = try await store.verifyChains()
        #expect(intact.isIntact)
        #expect(intact.chains == 2 && intact.links == 12)

        // Someone rewrites the release into a different day, straight in SQLite.
        let released = EventHash.id(events[4])
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("yidan.sqlite").path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE trace_events SET body = replace(body, '2026-11-29T15:30:00+08:00', '2026-11-28T15:30:00+08:00') WHERE event_id = ?", arguments: [released])
            #expect(db.changesCount == 1)
        }
        try queue.close()
        let report = try await store.verifyChains()
        #expect(report.breaks.count == 2)
        #expect(report.breaks.allSatisfy { $0.position == 4 && $0.eventID == released && $0.reason.contains("changed") })
    }

    @Test("verify catches a link whose event id was swapped")
    func chainCatchesRelinkedEvent() async throws {
        let (store, folder) = try openStore("relink")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await store.capture(try OwnEventSamples.events(), origin: .yidan)
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("yidan.sqlite").path)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM trace_chain WHERE position = 2")
        }
        try queue.close()
        let report = try await store.verifyChains()
        #expect(report.breaks.count == 2)
        #expect(report.breaks.allSatisfy { $0.position == 3 && $0.reason.contains("link 2 is missing") })
    }

    @Test("queries by bizStep, EPC pattern, time, location and business transaction")
    func queries() async throws {
        let (store, folder) = try openStore("query")
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try TraceFixtures.exampleFiles() { _ = try await store.capture(document: Data(contentsOf: file)) }
        _ = try await store.capture(try OwnEventSamples.events(), origin: .yidan)

        #expect(try await store.events(matching: TraceQuery(bizStep: "urn:epcglobal:cbv:bizstep:shipping")).count == 2)
        #expect(try await store.events(matching: TraceQuery(bizStep: "retail_selling")).count == 1)
        #expect(try await store.events(matching: TraceQuery(epc: "urn:epc:id:sgtin:0614141.107346.2018")).count == 3)
        #expect(try await store.events(matching: TraceQuery(epc: "https://id.gs1.org/01/10614141073464/21/*")).count == 3)
        let from = try TraceFixtures.time("2026-11-29T12:30:00+08:00").instant
        let to = try TraceFixtures.time("2026-11-29T23:00:00+08:00").instant
        #expect(try await store.events(matching: TraceQuery(from: from, to: to)).count == 3)
        #expect(try await store.events(matching: TraceQuery(location: "urn:epc:id:sgln:0012345.11111.0")).count == 1)
        #expect(try await store.events(matching: TraceQuery(location: "urn:yidan:port:5141")).count == 5)
        #expect(try await store.events(matching: TraceQuery(bizTransaction: "http://transaction.acme.com/po/12345678")).count == 2)
        #expect(try await store.events(matching: TraceQuery(bizTransaction: "SF1234567890")).count == 5)
    }

    @Test("trace by SKU, GTIN, Digital Link and order number")
    func traceIDs() async throws {
        let (store, folder) = try openStore("trace")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await store.capture(try OwnEventSamples.events(), origin: .yidan)
        // A producer's commissioning of a lot of the same GTIN, captured from a document.
        var commissioning = EPCISEvent(kind: .object, eventTime: try TraceFixtures.time("2026-10-01T08:00:00+10:00"))
        commissioning.action = .add
        commissioning.bizStep = "commissioning"
        commissioning.quantityList = [QuantityElement(epcClass: "https://id.gs1.org/01/09300617312345/10/LOT42", quantity: 500)]
        _ = try await store.capture([commissioning])

        // An order's trace: its six events and the production of its products.
        let order = try await store.trace(TraceID("ORD-20261129-0001"))
        #expect(order.count == 7)
        #expect(order.first?.event.bizStep == "commissioning")
        #expect(try await store.trace(TraceID("AU-A2-900G-S3")).count == 7)
        #expect(try await store.trace(TraceID("https://id.gs1.org/01/09300617312345/10/LOT42")).count == 1)
        #expect(try await store.trace(TraceID("09300617312345/10/LOT42")).count == 1)
        #expect(try await store.trace(TraceID("9300617312345")).count == 7)
        // Another buyer's order of the same GTIN stays out of this order's trace.
        var other = OwnEventSamples.order
        other.orderNo = "ORD-OTHER"
        _ = try await store.capture([CommerceEvents.event(.sale, order: other, at: try TraceFixtures.time("2026-11-30T10:00:00+08:00"))], origin: .yidan)
        #expect(try await store.trace(TraceID("ORD-20261129-0001")).count == 7)
        #expect(try await store.trace(TraceID("no-such-thing")).isEmpty)
    }
}

@Suite("Trace store, yidan's own events")
struct OwnEventStoreTests {
    @Test("an order's step is recorded once, however many receipts mean it")
    func stepRecordedOnce() async throws {
        let folder = try TraceFixtures.temporaryFolder("once")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: folder.appendingPathComponent("yidan.sqlite").path)
        let order = OwnEventSamples.order
        let first = CommerceEvents.event(.customsDeclared, order: order, at: try TraceFixtures.time("2026-11-29T13:00:00+08:00"))
        let later = CommerceEvents.event(.customsDeclared, order: order, at: try TraceFixtures.time("2026-11-29T13:05:00+08:00"))
        async let a = store.captureFirst(first, ofOrder: order.orderNo)
        async let b = store.captureFirst(later, ofOrder: order.orderNo)
        let stored = try await [a, b]
        #expect(stored.filter { $0 }.count == 1)
        #expect(try await store.hasEvent(bizStep: CommerceEvents.bizStep(.customsDeclared), orderNo: order.orderNo))
        #expect(try await store.eventCount() == 1)
    }

    @Test("yidan's events name no buyer, consignee, ID number, phone or address")
    func noPersonalData() throws {
        for event in try OwnEventSamples.events() {
            let text = EPCISDocument.jsonLD([event], creationDate: try TraceFixtures.time("2026-11-29T10:00:00+08:00")).serialized()
            // Only these fields: what, when, where (codes), why, the order/waybill/inventory numbers.
            let allowed: Set<String> = [
                "type", "eventID", "eventTime", "eventTimeZoneOffset", "quantityList", "action", "bizStep", "disposition",
                "readPoint", "bizLocation", "bizTransactionList", "yidan:sku",
            ]
            let members = try OrderedJSON.parse(Data(text.utf8))["epcisBody"]?["eventList"].flatMap { list -> [String]? in
                guard case let .array(items) = list else { return nil }
                return items.flatMap { $0.members.map(\.key) }
            } ?? []
            #expect(!members.isEmpty && Set(members).isSubset(of: allowed), "\(members)")
        }
    }
}
