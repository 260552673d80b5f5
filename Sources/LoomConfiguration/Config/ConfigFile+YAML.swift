import LoomSystem

#if YAML
import Yams

extension ConfigFile {
    /// The top-level keys of a YAML mapping (Yams), with the line of each key.
    func parseYAML(_ text: String) throws(LoomError) -> [Entry] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw self.malformed(Self.yamlReason(error), format: "YAML")
        } catch {
            throw self.malformed("\(error)", format: "YAML")
        }
        guard let root else { return [] }  // An empty document sets nothing.
        guard let mapping = root.mapping else {
            throw self.malformed("expected a mapping of keys at the top level", format: "YAML")
        }
        var entries: [Entry] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw self.malformed("a top-level key is not a string", format: "YAML")
            }
            entries.append(Entry(name: name, value: Self.yamlValue(value), line: key.mark?.line))
        }
        return entries
    }

    private static func yamlValue(_ node: Node) -> RawSetting.Value {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .int: if let value = node.int { return .integer(value) }
            case .bool: if let value = node.bool { return .boolean(value) }
            case .float: if let value = node.float { return .number(value) }
            case .null: return .other(type: "null", text: scalar.string)
            case .str: return .string(scalar.string)
            default: break
            }
            return .string(scalar.string)
        case .mapping: return .other(type: "a mapping", text: "{...}")
        case .sequence: return .other(type: "a list", text: "[...]")
        case .alias: return .other(type: "an alias", text: "*alias")
        }
    }

    /// The parser's message on one line: `<problem> (line L, column C)`.
    private static func yamlReason(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let context = context.map { "\($0.text) " } ?? ""
            return "\(context)\(problem) (line \(mark.line), column \(mark.column))"
        default:
            return String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}
#else
extension ConfigFile {
    /// Unreachable without the YAML trait: ``ConfigFile/load()`` rejects `.yaml` files first.
    func parseYAML(_ text: String) throws(LoomError) -> [Entry] {
        throw self.notBuiltIn("YAML")
    }
}
#endif
