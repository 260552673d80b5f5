import LoomSystem

#if TOML
import TOMLKit

extension ConfigFile {
    /// The top-level keys of a TOML document (TOMLKit). A loom-rs `config.toml` reads unchanged.
    func parseTOML(_ text: String) throws(LoomError) -> [Entry] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw self.malformed(
                "\(error.description) (line \(position.line), column \(position.column))",
                format: "TOML"
            )
        } catch {
            throw self.malformed("\(error)", format: "TOML")
        }
        return table.keys.sorted().map { key in Entry(name: key, value: Self.tomlValue(table[key]!)) }
    }

    private static func tomlValue(_ value: any TOMLValueConvertible) -> RawSetting.Value {
        switch value.type {
        case .int: if let int = value.int { return .integer(int) }
        case .string: if let string = value.string { return .string(string) }
        case .bool: if let bool = value.bool { return .boolean(bool) }
        case .double: if let double = value.double { return .number(double) }
        case .table: return .other(type: "a table", text: "{...}")
        case .array: return .other(type: "an array", text: "[...]")
        case .date, .time, .dateTime: return .other(type: "a date or time", text: value.debugDescription)
        }
        return .other(type: value.type.description, text: value.debugDescription)
    }
}
#else
extension ConfigFile {
    /// Unreachable without the TOML trait: ``ConfigFile/load()`` rejects `.toml` files first.
    func parseTOML(_ text: String) throws(LoomError) -> [Entry] {
        throw self.notBuiltIn("TOML")
    }
}
#endif
