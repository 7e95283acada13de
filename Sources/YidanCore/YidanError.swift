/// The error every yidan stage throws: a stable code, a message safe to show
/// anyone (no personal data), an optional cause and where it was raised.
///
/// `description` is the redacted form for logs and users; `debugDescription`
/// adds the cause, which may hold raw values and must stay in local debugging.
public struct YidanError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidOrder = Code("invalid-order")
        public static let notEligible = Code("not-eligible")
        public static let mapping = Code("mapping")
        public static let schema = Code("schema")
        public static let xml = Code("xml")
        public static let signing = Code("signing")
        public static let store = Code("store")
        public static let transport = Code("transport")
        public static let receipt = Code("receipt")
        public static let configuration = Code("configuration")
        public static let notFound = Code("not-found")
        public static let duplicate = Code("duplicate")
    }

    public struct Location: Sendable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public init(file: String = #fileID, line: Int = #line) {
            self.file = file
            self.line = line
        }
        public var description: String { "\(file):\(line)" }
    }

    public var code: Code
    public var message: String
    /// Underlying error; may hold raw values, so it only appears in `debugDescription`.
    public var cause: (any Error & Sendable)?
    public var location: Location

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.cause = cause
        self.location = Location(file: file, line: line)
    }

    public var description: String { "\(code): \(message)" }

    public var debugDescription: String {
        var text = "\(code): \(message) [at \(location)]"
        if let cause { text += " cause: \(String(reflecting: cause))" }
        return text
    }
}
