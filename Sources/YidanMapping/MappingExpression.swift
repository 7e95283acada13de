import Foundation
import YidanCore

/// A compiled source expression. The language is deliberately tiny:
///
///     order.buyer.name          a path (see `SourcePath.all`)
///     'I'  or  42.5             a constant (quoted text, or a number)
///     index + 1                 sums and differences of paths and numbers
///
/// Anything richer belongs in `computed.*` (Swift, with a comment saying why).
indirect enum MappingExpression: Sendable {
    case constant(MappingValue)
    case path(SourcePath)
    /// Terms added (`true`) or subtracted (`false`), left to right.
    case sum([(add: Bool, term: MappingExpression)])

    /// The result, or nil when a path it reads is absent.
    func evaluate(in scope: MappingScope) -> MappingValue? {
        switch self {
        case .constant(let value):
            return value
        case .path(let path):
            return path.read(scope)
        case .sum(let terms):
            var total = Decimal(0)
            for (add, term) in terms {
                guard let value = term.evaluate(in: scope)?.decimal else { return nil }
                total = add ? total + value : total - value
            }
            return .decimal(total)
        }
    }

    /// The first path this expression reads: it names the input field in errors.
    var primaryPath: SourcePath? {
        switch self {
        case .constant: nil
        case .path(let path): path
        case .sum(let terms): terms.lazy.compactMap(\.term.primaryPath).first
        }
    }

    var needsItem: Bool {
        switch self {
        case .constant: false
        case .path(let path): path.needsItem
        case .sum(let terms): terms.contains { $0.term.needsItem }
        }
    }

    /// Compiles `text`; `context` names the mapping entry for error messages.
    static func compile(_ text: String, context: String) throws -> MappingExpression {
        let tokens = try tokenize(text, context: context)
        guard !tokens.isEmpty else {
            throw YidanError(.configuration, "\(context): empty source expression")
        }
        var terms: [(add: Bool, term: MappingExpression)] = []
        var expectOperand = true
        var add = true
        for token in tokens {
            if expectOperand {
                terms.append((add, try operand(token, context: context)))
                expectOperand = false
            } else if token == "+" || token == "-" {
                add = token == "+"
                expectOperand = true
            } else {
                throw YidanError(.configuration, "\(context): expected + or - before \(token) in \(text)")
            }
        }
        if expectOperand {
            throw YidanError(.configuration, "\(context): \(text) ends with an operator")
        }
        if terms.count == 1, terms[0].add { return terms[0].term }
        return .sum(terms)
    }

    private static func operand(_ token: String, context: String) throws -> MappingExpression {
        if token.hasPrefix("'") {
            return .constant(.text(String(token.dropFirst().dropLast())))
        }
        if let number = Money.parse(token) {
            return .constant(.decimal(number))
        }
        guard let path = SourcePath.all[token] else {
            throw YidanError(.configuration, "\(context): unknown source path \(token)")
        }
        return .path(path)
    }

    /// Splits on spaces and around `+`/`-`; `'quoted text'` is one token.
    private static func tokenize(_ text: String, context: String) throws -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        for char in text {
            if quoted {
                current.append(char)
                if char == "'" { quoted = false; flush() }
                continue
            }
            switch char {
            case "'":
                flush()
                current = "'"
                quoted = true
            case " ", "\t":
                flush()
            case "+", "-":
                // A minus directly followed by a digit at operand position is a sign.
                if char == "-", current.isEmpty, tokens.last.map({ $0 == "+" || $0 == "-" }) ?? true {
                    current.append(char)
                } else {
                    flush()
                    tokens.append(String(char))
                }
            default:
                current.append(char)
            }
        }
        if quoted {
            throw YidanError(.configuration, "\(context): unterminated quote in \(text)")
        }
        flush()
        return tokens
    }
}

/// `when:` on an element or group: `path = value` or `path != value`.
/// An element whose condition is false is left out of the message.
struct MappingCondition: Sendable {
    let left: MappingExpression
    let equals: Bool
    let right: String

    func holds(in scope: MappingScope) -> Bool {
        let value = left.evaluate(in: scope)?.plainText ?? ""
        return (value == right) == equals
    }

    static func compile(_ text: String, context: String) throws -> MappingCondition {
        let (separator, equals): (String, Bool) = text.contains("!=") ? ("!=", false) : ("=", true)
        let parts = text.components(separatedBy: separator)
        guard parts.count == 2 else {
            throw YidanError(.configuration, "\(context): when must read `path = value` or `path != value`, not \(text)")
        }
        var right = parts[1].trimmingCharacters(in: .whitespaces)
        if right.count >= 2, right.hasPrefix("'"), right.hasSuffix("'") {
            right = String(right.dropFirst().dropLast())
        }
        return MappingCondition(
            left: try MappingExpression.compile(parts[0].trimmingCharacters(in: .whitespaces), context: context),
            equals: equals,
            right: right
        )
    }
}
