public import Foundation
public import YidanCore

/// One EPCIS 2.0 event: what (EPCs, classes with quantities), when, where, why.
///
/// Values are kept as the document stated them (bare CBV terms such as
/// `shipping` or full URNs); `EventHash` canonicalises only for the hash.
/// Parts yidan does not interpret (ILMD, sensor data, user extensions) are
/// kept as ordered JSON so they survive a round trip and enter the hash.
public struct EPCISEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case object = "ObjectEvent"
        case aggregation = "AggregationEvent"
        case transformation = "TransformationEvent"
        case transaction = "TransactionEvent"
        case association = "AssociationEvent"
    }

    public enum Action: String, Sendable {
        case add = "ADD", observe = "OBSERVE", delete = "DELETE"
    }

    public var kind: Kind
    /// The document's eventID, if it carried one (yidan's own id is `EventHash`).
    public var declaredEventID: String?
    public var eventTime: ZonedDateTime
    /// `eventTime` exactly as written (the hash keeps its sub-millisecond digits).
    public var eventTimeText: String
    /// `+08:00`.
    public var eventTimeZoneOffset: String
    public var recordTime: ZonedDateTime?
    public var action: Action?
    public var parentID: String?
    public var epcList: [String] = []
    public var childEPCs: [String] = []
    public var inputEPCList: [String] = []
    public var outputEPCList: [String] = []
    public var quantityList: [QuantityElement] = []
    public var childQuantityList: [QuantityElement] = []
    public var inputQuantityList: [QuantityElement] = []
    public var outputQuantityList: [QuantityElement] = []
    public var transformationID: String?
    public var bizStep: String?
    public var disposition: String?
    public var readPoint: String?
    public var bizLocation: String?
    public var bizTransactionList: [TypedReference] = []
    public var sourceList: [TypedReference] = []
    public var destinationList: [TypedReference] = []
    public var ilmd: OrderedJSON?
    public var sensorElementList: OrderedJSON?
    public var certificationInfo: String?
    /// Fields outside the standard, keyed as written (`example:myField`).
    public var extensions: [(key: String, value: OrderedJSON)] = []
    /// Prefix → namespace URI declared by the document (`example` → `http://ns.example.com/epcis/`).
    public var namespaces: [String: String] = [:]

    public init(kind: Kind, eventTime: ZonedDateTime, eventTimeText: String? = nil, eventTimeZoneOffset: String? = nil) {
        self.kind = kind
        self.eventTime = eventTime
        self.eventTimeText = eventTimeText ?? eventTime.iso8601
        self.eventTimeZoneOffset = eventTimeZoneOffset ?? Self.offsetText(eventTime.utcOffsetSeconds)
    }

    /// `+08:00` for 28800.
    public static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + pad(minutes / 60) + ":" + pad(minutes % 60)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Every identifier of a product the event names (instance EPCs, class URIs, parent).
    public var productIdentifiers: [String] {
        var ids = epcList + childEPCs + inputEPCList + outputEPCList
        ids += (quantityList + childQuantityList + inputQuantityList + outputQuantityList).map(\.epcClass)
        if let parentID { ids.append(parentID) }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    public static func == (lhs: EPCISEvent, rhs: EPCISEvent) -> Bool {
        EventHash.preHashString(lhs) == EventHash.preHashString(rhs) && lhs.declaredEventID == rhs.declaredEventID
    }
}

/// A class-level quantity: `urn:epc:class:lgtin:4012345.012345.998877`, 200.5 KGM.
public struct QuantityElement: Sendable, Equatable {
    public var epcClass: String
    /// Decimal text as written; nil when the document gave none.
    public var quantity: Decimal?
    public var uom: String?
    public init(epcClass: String, quantity: Decimal?, uom: String? = nil) {
        self.epcClass = epcClass
        self.quantity = quantity
        self.uom = uom
    }
}

/// A business transaction, source or destination: a type (`po`, `owning_party`) and a value.
public struct TypedReference: Sendable, Equatable {
    public var type: String?
    public var value: String
    public init(type: String?, value: String) {
        self.type = type
        self.value = value
    }
}
