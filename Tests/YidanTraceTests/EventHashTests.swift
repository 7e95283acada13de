import Foundation
import Testing
import YidanCore
@testable import YidanTrace

@Suite("EPCIS event hash")
struct EventHashTests {
    @Test("every shared example loads (JSON-LD and XML)")
    func sharedExamplesLoad() throws {
        let vocabulary = try TraceFixtures.vocabulary()
        let files = try TraceFixtures.exampleFiles()
        #expect(files.count >= 6)
        for file in files {
            let events = try EPCISDocument.events(from: Data(contentsOf: file), vocabulary: vocabulary)
            #expect(!events.isEmpty, "\(file.lastPathComponent)")
        }
    }

    @Test("JSON-LD and XML of the same events hash alike")
    func jsonAndXMLAgree() throws {
        let json = try EPCISDocument.events(from: Data(contentsOf: TraceFixtures.examples.appendingPathComponent("openepcis__ObjectEvent.json")))
        let xml = try EPCISDocument.events(from: Data(contentsOf: TraceFixtures.examples.appendingPathComponent("openepcis__ObjectEvent.xml")))
        #expect(json.map(EventHash.id) == xml.map(EventHash.id))
        #expect(json.count == 2)
    }

    @Test("known pre-hash string of the GS1 example 9.6.1 shipping event")
    func knownPreHash() throws {
        let events = try EPCISDocument.events(from: Data(contentsOf: TraceFixtures.examples.appendingPathComponent("gs1__Example_9.6.1-ObjectEvent.jsonld")))
        let first = try #require(events.first)
        #expect(EventHash.preHashString(first) == "eventType=ObjectEventeventTime=2005-04-04T02:33:31.116ZeventTimeZoneOffset=-06:00"
            + "epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018"
            + "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
            + "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
            + "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=http://transaction.acme.com/po/12345678")
        #expect(EventHash.id(first).hasPrefix("ni:///sha-256;"))
        #expect(EventHash.id(first).hasSuffix("?ver=CBV2.0"))
    }

    @Test("times: UTC, milliseconds rounded half to even")
    func canonicalTimes() {
        #expect(EventHash.canonicalTime("2005-04-03T20:33:31.116000-06:00") == "2005-04-04T02:33:31.116Z")
        #expect(EventHash.canonicalTime("2020-06-15T21:41:19Z") == "2020-06-15T21:41:19.000Z")
        #expect(EventHash.canonicalTime("2020-06-15T21:41:19.0005Z") == "2020-06-15T21:41:19.000Z")
        #expect(EventHash.canonicalTime("2020-06-15T21:41:19.9996+08:00") == "2020-06-15T13:41:20.000Z")
    }

    @Test("yidan's ids equal the reference implementation's, for the shared examples and yidan's own events")
    func matchesReferenceImplementation() throws {
        guard let python = ReferenceHashTool.python else {
            #expect(!ReferenceHashTool.mustRun, "CI is set but the reference hash tool is missing (YIDAN_EPCIS_HASH_TOOL or .build/epcis-venv)")
            return
        }
        var files = try TraceFixtures.exampleFiles()
        var expected: [String: [String]] = [:]
        for file in files {
            expected[file.path] = try EPCISDocument.events(from: Data(contentsOf: file)).map(EventHash.id)
        }
        // yidan's own events, written as a JSON-LD document and hashed by the reference.
        let folder = try TraceFixtures.temporaryFolder("own-events")
        defer { try? FileManager.default.removeItem(at: folder) }
        let own = try OwnEventSamples.events()
        let ownFile = folder.appendingPathComponent("yidan-events.jsonld")
        try EPCISDocument.jsonLD(own, creationDate: TraceFixtures.time("2026-11-29T10:00:00+08:00")).serialized(pretty: true)
            .write(to: ownFile, atomically: true, encoding: .utf8)
        files.append(ownFile)
        expected[ownFile.path] = own.map(EventHash.id)
        // And the same document read back by yidan hashes alike.
        #expect(try EPCISDocument.events(from: Data(contentsOf: ownFile)).map(EventHash.id) == own.map(EventHash.id))

        let reference = try ReferenceHashTool.hashes(of: files, python: python)
        for file in files {
            let theirs = try #require(reference[file.path], "\(file.lastPathComponent)")
            #expect(expected[file.path] == theirs.hashes, "\(file.lastPathComponent): reference pre-hashes \(theirs.prehashes)")
        }
    }
}
