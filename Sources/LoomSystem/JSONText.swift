/// A small JSON writer that keeps keys in the order given (for `loom info --json`, whose key order is part of
/// its readability).
package indirect enum JSONText: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A finite number (never NaN or infinity, which JSON cannot express).
    case double(Double)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    package static func == (lhs: JSONText, rhs: JSONText) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// The JSON text, pretty-printed with two-space indentation.
    package func rendered(indent: Int = 0) -> String {
        let inner = String(repeating: " ", count: indent + 2)
        let outer = String(repeating: " ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? "\(value)" : "null"
        case .string(let value): return Self.quoted(value)
        case .array(let items):
            if items.isEmpty { return "[]" }
            let body = items.map { inner + $0.rendered(indent: indent + 2) }.joined(separator: ",\n")
            return "[\n\(body)\n\(outer)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            let body = members.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: indent + 2) }
                .joined(separator: ",\n")
            return "{\n\(body)\n\(outer)}"
        }
    }

    /// A JSON string literal (RFC 8259 escapes).
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
