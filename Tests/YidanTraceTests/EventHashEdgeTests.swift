import Foundation
import Testing
import YidanCore
@testable import YidanTrace

/// Fields the shared examples do not exercise — sensors, sources and
/// destinations, nested user extensions, quantities with units, Digital Link
/// EPCs with escaped characters — hashed by yidan and by the reference.
@Suite("EPCIS event hash, less common fields")
struct EventHashEdgeTests {
    static let document = #"""
        {
          "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ns/"}],
          "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-29T10:00:00+08:00",
          "epcisBody": {"eventList": [
            {"type": "ObjectEvent", "eventTime": "2026-11-29T10:00:00.1234+08:00", "eventTimeZoneOffset": "+08:00", "action": "OBSERVE",
             "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 10.50, "uom": "KGM"},
                              {"epcClass": "urn:epc:idpat:sgtin:4012345.098765.*", "quantity": 3}],
             "bizStep": "urn:epcglobal:cbv:bizstep:shipping", "disposition": "in_transit",
             "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
             "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00001"},
                            {"type": "location", "source": "urn:epc:id:sgln:4012345.00001.0"}],
             "destinationList": [{"type": "possessing_party", "destination": "urn:epc:id:pgln:0614141.00001"}],
             "sensorElementList": [{"sensorMetadata": {"time": "2026-11-29T09:00:00+08:00", "deviceID": "urn:epc:id:giai:4000001.111"},
                "sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}, {"type": "gs1:Humidity", "value": 60, "uom": "A93"}]}],
             "ex:note": {"ex:a": "1", "ex:b": ["x", "y"]},
             "ex:count": 7
            },
            {"type": "TransactionEvent", "eventTime": "2026-11-29T11:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
             "epcList": ["https://id.gs1.org/01/09506000134352/21/S%2F1", "urn:epc:id:sgtin:0614141.107346.A!B"],
             "bizTransactionList": [{"type": "inv", "bizTransaction": "urn:yidan:order:A-1"}, {"type": "po", "bizTransaction": "urn:yidan:order:A-1"}]
            },
            {"type": "AggregationEvent", "eventTime": "2026-11-29T12:00:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "ADD",
             "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2017"],
             "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.L1", "quantity": 1e2}],
             "bizStep": "packing", "disposition": "container_closed"}
          ]}
        }
        """#

    @Test("sensors, sources, destinations and nested extensions hash as the reference does")
    func matchesReference() throws {
        let events = try EPCISDocument.events(from: Data(Self.document.utf8), vocabulary: TraceFixtures.vocabulary())
        #expect(events.count == 3)
        #expect(EventHash.preHashString(events[0]).contains("sensorReporttype=gs1:Humidity"))
        guard let python = ReferenceHashTool.python else {
            #expect(!ReferenceHashTool.mustRun, "CI is set but the reference hash tool is missing")
            return
        }
        let folder = try TraceFixtures.temporaryFolder("edge")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("edge.jsonld")
        try Data(Self.document.utf8).write(to: file)
        let reference = try #require(try ReferenceHashTool.hashes(of: [file], python: python)[file.path])
        #expect(events.map(EventHash.id) == reference.hashes, "reference pre-hashes: \(reference.prehashes)\nyidan: \(events.map(EventHash.preHashString))")
    }
}
