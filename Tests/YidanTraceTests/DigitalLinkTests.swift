import Testing
@testable import YidanTrace

@Suite("GS1 Digital Link and EPC identifiers")
struct DigitalLinkTests {
    @Test("serial and lot links parse; GTIN padded; check digit enforced")
    func parsing() throws {
        let serial = try #require(DigitalLink("https://id.gs1.org/01/09506000134352/21/ABC%2F1"))
        #expect(serial.gtin == "09506000134352" && serial.serial == "ABC%2F1" && serial.lot == nil)
        #expect(serial.canonical == "https://id.gs1.org/01/09506000134352/21/ABC%2F1")
        let lot = try #require(DigitalLink("https://example.com/shop/01/9506000134352/10/LOT-7?linkType=all"))
        #expect(lot.gtin == "09506000134352" && lot.lot == "LOT-7")
        #expect(DigitalLink("https://id.gs1.org/01/09506000134353/21/1") == nil)  // wrong check digit
        #expect(DigitalLink("https://id.gs1.org/01/09506000134352/99/1") == nil)
        #expect(DigitalLink("https://example.com/product/123") == nil)
        let both = try #require(DigitalLink("https://id.gs1.org/gtin/09506000134352/lot/L1/ser/S1"))
        #expect(both.canonical == "https://id.gs1.org/01/09506000134352/21/S1")
    }

    @Test("EPC URNs become canonical Digital Links")
    func epcToDigitalLink() {
        #expect(GS1Identifier.canonicalDigitalLink("urn:epc:id:sgtin:0614141.107346.2017") == "https://id.gs1.org/01/10614141073464/21/2017")
        #expect(GS1Identifier.canonicalDigitalLink("urn:epc:class:lgtin:4012345.012345.998877") == "https://id.gs1.org/01/04012345123456/10/998877")
        #expect(GS1Identifier.canonicalDigitalLink("urn:epc:idpat:sgtin:4012345.098765.*") == "https://id.gs1.org/01/04012345987652")
        #expect(GS1Identifier.canonicalDigitalLink("urn:epc:id:sscc:0614141.1234567890") == "https://id.gs1.org/00/106141412345678908")
        #expect(GS1Identifier.canonicalDigitalLink("urn:epc:id:sgln:0614141.00888.0") == "https://id.gs1.org/414/0614141008889")
        #expect(GS1Identifier.canonicalDigitalLink("http://transaction.acme.com/po/12345678") == nil)
    }

    @Test("trace IDs: Digital Link, GTIN with lot or serial, EPC URN, text")
    func traceIDs() {
        #expect(TraceID("https://id.gs1.org/01/09506000134352/21/S1") == .digitalLink(DigitalLink(gtin: "09506000134352", serial: "S1")))
        #expect(TraceID("09506000134352/10/L9") == .digitalLink(DigitalLink(gtin: "09506000134352", lot: "L9")))
        #expect(TraceID("(01)09506000134352(21)S1") == .digitalLink(DigitalLink(gtin: "09506000134352", serial: "S1")))
        #expect(TraceID("urn:epc:id:sgtin:0614141.107346.2017") == .digitalLink(DigitalLink(gtin: "10614141073464", serial: "2017")))
        #expect(TraceID("AU-A2-900G-S3") == .text("AU-A2-900G-S3"))
    }
}
