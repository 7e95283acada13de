public import YidanCore

/// One unit of input as a source read it: the JSON document(s) of one order
/// (or of one platform payload, which may list several orders), or the reason
/// the input at that place could not be read as JSON at all.
///
/// `location` says where it came from in the user's terms: `orders.jsonl:1234`
/// (line), `folder/a.json`, `export.csv:7-9` (the lines of one order's rows),
/// `stdin:12`. Refusals carry it, so a merchant can find the order again.
public struct OrderDocument: Sendable {
    public enum Content: Sendable {
        /// Usually one document; several when one order arrives as several
        /// API responses (order + items + address) bundled by a source.
        case json([JSONValue])
        /// One JSON text not parsed yet (a JSON Lines line): `parsed()` turns
        /// it into `.json` or `.unreadable`, on whichever thread runs it, so
        /// a batch parses lines in parallel while the source reads on.
        case jsonText([UInt8])
        /// Not readable as JSON (syntax error, line too long, broken CSV row):
        /// the problems, with positions in the rules, never the content.
        case unreadable([FieldIssue])
    }

    public var location: String
    public var content: Content
    /// The order number when the source knows it without the normalizer
    /// (a CSV group's `/orderNo`), so even an unreadable order is named.
    public var orderNo: String?

    public init(location: String, content: Content, orderNo: String? = nil) {
        self.location = location
        self.content = content
        self.orderNo = orderNo.flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension OrderDocument {
    /// The document with a `.jsonText` parsed; other contents unchanged. A
    /// syntax error becomes `.unreadable` with its column (the location
    /// already names the line).
    public func parsed(with parser: JSONParser = NormalizedOrderJSON.parser) -> OrderDocument {
        guard case let .jsonText(bytes) = content else { return self }
        var copy = self
        do {
            copy.content = .json([try parser.parse(bytes)])
        } catch {
            // A one-line text: its line is in the location, only the column matters.
            let position = error.line == 1 ? "column \(error.column): \(error.message)" : error.description
            copy.content = .unreadable([FieldIssue(pointer: "", value: nil, rule: "is not valid JSON: " + position)])
        }
        return copy
    }
}

/// Where order documents come from, one at a time, with bounded memory.
///
/// `next()` returns nil at the end. It throws only when the input itself
/// cannot be read further (an I/O error); an order that is wrong is a
/// document (`.unreadable`) for the normalizer to refuse, never an error.
public protocol OrderDocumentSource: AnyObject {
    func next() throws -> OrderDocument?
}

extension YidanError.Code {
    /// An input file or stream could not be read (I/O error, not a bad order).
    public static let unreadableInput = YidanError.Code("unreadable-input")
}

/// One order after the normalizer: a `NormalizedOrder`, or every reason it
/// was refused. `orderNo` is filled whenever the input names one.
public struct NormalizedDocument: Sendable {
    public var location: String
    public var orderNo: String?
    public var result: Result<NormalizedOrder, ValidationFailure>

    public init(location: String, orderNo: String?, result: Result<NormalizedOrder, ValidationFailure>) {
        self.location = location
        self.orderNo = orderNo
        self.result = result
    }
}

/// Turns what a source read into normalized orders. Today: the project's
/// normalized order JSON (`NormalizedOrderJSONNormalizer`); platform payloads
/// plug in here as another normalizer (detect, extract, assemble).
public protocol OrderNormalizer: Sendable {
    /// Every order the document holds, in document order, each normalized or refused.
    func normalize(_ document: OrderDocument) -> [NormalizedDocument]
}

/// The project's own order JSON (`Mappings/schemas/normalized-order.schema.json`).
/// A document that is a JSON array is a list of orders; each element gets the
/// location `<where>#/<index>` (a JSON pointer into the document).
public struct NormalizedOrderJSONNormalizer: OrderNormalizer {
    public init() {}

    public func normalize(_ document: OrderDocument) -> [NormalizedDocument] {
        let document = document.parsed()
        switch document.content {
        case .jsonText:
            return []  // parsed() never leaves text
        case let .unreadable(issues):
            return [NormalizedDocument(location: document.location, orderNo: document.orderNo, result: .failure(ValidationFailure(issues: issues)))]
        case let .json(values):
            var out: [NormalizedDocument] = []
            for (index, value) in values.enumerated() {
                let location = values.count == 1 ? document.location : "\(document.location)#/\(index)"
                if case let .array(elements) = value {
                    for (position, element) in elements.enumerated() {
                        out.append(Self.decode(element, location: "\(location)#/\(position)"))
                    }
                } else {
                    out.append(Self.decode(value, location: location))
                }
            }
            return out
        }
    }

    static func decode(_ value: JSONValue, location: String) -> NormalizedDocument {
        do {
            let order = try NormalizedOrderJSON.decode(value)
            return NormalizedDocument(location: location, orderNo: order.orderNo, result: .success(order))
        } catch {
            return NormalizedDocument(location: location, orderNo: Self.orderNo(in: value), result: .failure(error))
        }
    }

    /// The order number of a refused document, when it has a plausible one
    /// (a short single-line string); order numbers are not personal data.
    static func orderNo(in value: JSONValue) -> String? {
        guard case let .string(text)? = value["orderNo"], !text.isEmpty, text.count <= 64,
              !text.contains(where: \.isNewline)
        else { return nil }
        return text
    }
}
