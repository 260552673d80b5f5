import Foundation
import LoomSystem

extension ConfigFile {
    /// The top-level keys of a JSON object (Foundation's `JSONSerialization`).
    func parseJSON(_ text: String) throws(LoomError) -> [Entry] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw self.malformed(Self.withLineAndColumn(detail, in: text), format: "JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw self.malformed("expected an object of keys at the top level", format: "JSON")
        }
        return dictionary.keys.sorted().map { Entry(name: $0, value: Self.jsonValue(dictionary[$0]!)) }
    }

    private static func jsonValue(_ value: Any) -> RawSetting.Value {
        if let string = value as? String { return .string(string) }
        if value is NSNull { return .other(type: "null", text: "null") }
        if let number = value as? NSNumber {
            // JSONSerialization hands booleans and numbers back as NSNumber; the type encoding tells them apart
            // ("c" for a boolean, "d"/"f" for a floating-point number, an integer code otherwise).
            switch String(cString: number.objCType) {
            case "c", "B": return .boolean(number.boolValue)
            case "d", "f": return .number(number.doubleValue)
            default: return .integer(number.intValue)
            }
        }
        if value is [Any] { return .other(type: "an array", text: "[...]") }
        if value is [String: Any] { return .other(type: "an object", text: "{...}") }
        return .other(type: "an unsupported value", text: "\(value)")
    }

    /// Foundation reports a position as "around character 20" (a UTF-8 offset); add the line and column.
    private static func withLineAndColumn(_ detail: String, in text: String) -> String {
        guard let range = detail.range(of: "character ") else { return detail }
        let digits = detail[range.upperBound...].prefix(while: \.isNumber)
        guard let offset = Int(digits) else { return detail }
        var line = 1
        var column = 1
        for byte in text.utf8.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count characters, not continuation bytes
                column += 1
            }
        }
        let trimmed = detail.hasSuffix(".") ? String(detail.dropLast()) : detail
        return "\(trimmed) (line \(line), column \(column))"
    }
}
