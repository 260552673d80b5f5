/// One value exactly as a source gave it, before it is checked: the key, how the source spelled it (the key or
/// its alias), the value and where it came from.
///
/// Every source (files, the environment, a `ConfigReader`, `LoomBuilder` setters, flags) is first turned into
/// `RawSetting`s; ``ConfigLayer/init(decoding:)`` then checks them all the same way, so every error message has
/// the same shape whatever the source.
import LoomSystem

package struct RawSetting: Sendable, Equatable {
    /// A value as the source typed it.
    package enum Value: Sendable, Equatable {
        /// Text that may still be read as a number or a boolean (environment variables, flags, `ConfigReader`
        /// strings): `"3"` is a valid thread count.
        case text(String)
        /// A string a typed source (a file, a setter) gave as a string: `"3"` is *not* a thread count.
        case string(String)
        /// An integer.
        case integer(Int)
        /// A boolean.
        case boolean(Bool)
        /// A floating-point number.
        case number(Double)
        /// Anything else (an array, a table, a date, null), with the name of its type and its text.
        case other(type: String, text: String)

        /// The value as it would be written, for error messages.
        package var text: String {
            switch self {
            case .text(let text), .string(let text): text.escapingControlCharacters
            case .integer(let value): "\(value)"
            case .boolean(let value): "\(value)"
            case .number(let value): "\(value)"
            case .other(_, let text): text
            }
        }

        /// What kind of value this is, for "found a string" in error messages.
        package var typeName: String {
            switch self {
            case .text: "text"
            case .string: "a string"
            case .integer: "an integer"
            case .boolean: "a boolean"
            case .number: "a floating-point number"
            case .other(let type, _): type
            }
        }
    }

    /// The key the value is for.
    package var key: LoomConfiguration.Key
    /// The key as the source spelled it: the key itself (`compute_threads`) or its alias (`rayon_threads`).
    package var spelling: String
    /// The value.
    package var value: Value
    /// Where it came from.
    package var source: LoomConfiguration.Source

    package init(key: LoomConfiguration.Key, spelling: String? = nil, value: Value, source: LoomConfiguration.Source) {
        self.key = key
        self.spelling = spelling ?? key.rawValue
        self.value = value
        self.source = source
    }
}

extension StringProtocol {
    /// The text with control characters written as escapes (`\n`, `\u{1B}`), so error messages stay on one line.
    package var escapingControlCharacters: String {
        var result = ""
        for scalar in self.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.properties.generalCategory == .control:
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
