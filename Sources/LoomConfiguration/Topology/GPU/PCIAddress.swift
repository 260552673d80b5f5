/// A PCI address (domain, bus, device, function), kept as integers so that its spellings can be converted
/// without slicing strings.
///
/// NVML writes the bus id with an eight-digit upper-case domain (`00000000:3B:00.0`), sysfs names the device
/// directory with a lower-case domain of at least four digits (`0000:3b:00.0`), and Intel VMD domains need five
/// (`10000:01:00.0`). loom-rs compared the two strings and never matched; converting through integers is the fix.
import LoomSystem

package struct PCIAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var domain: UInt32
    package var bus: UInt8
    package var device: UInt8
    package var function: UInt8

    package init(domain: UInt32, bus: UInt8, device: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// Parses `domain:bus:device.function` in hex, any case, with a domain of one to eight digits
    /// (`00000000:3B:00.0`, `0000:3b:00.0`, `10000:01:00.0`), or `bus:device.function` (domain 0).
    /// Returns `nil` for anything else, including a device above 31 or a function above 7.
    package init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace
        let colonParts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard colonParts.count == 2 || colonParts.count == 3 else { return nil }
        let deviceFunction = colonParts[colonParts.count - 1].split(separator: ".", omittingEmptySubsequences: false)
        guard deviceFunction.count == 2,
            let bus = Self.hex(colonParts[colonParts.count - 2], maxDigits: 2),
            let device = Self.hex(deviceFunction[0], maxDigits: 2), device <= 31,
            let function = Self.hex(deviceFunction[1], maxDigits: 1), function <= 7
        else { return nil }
        var domain: UInt64 = 0
        if colonParts.count == 3 {
            guard let parsed = Self.hex(colonParts[0], maxDigits: 8) else { return nil }
            domain = parsed
        }
        self.init(domain: UInt32(domain), bus: UInt8(bus), device: UInt8(device), function: UInt8(function))
    }

    /// The sysfs directory name: lower-case hex, `%04x:%02x:%02x.%x` (`0000:3b:00.0`, `10000:01:00.0`).
    package var sysfsName: String {
        "\(Self.hex(self.domain, width: 4)):\(Self.hex(self.bus, width: 2)):\(Self.hex(self.device, width: 2))."
            + Self.hex(self.function, width: 1)
    }

    /// The sysfs spelling.
    package var description: String { self.sysfsName }

    package static func < (lhs: PCIAddress, rhs: PCIAddress) -> Bool {
        (lhs.domain, lhs.bus, lhs.device, lhs.function) < (rhs.domain, rhs.bus, rhs.device, rhs.function)
    }

    private static func hex(_ text: Substring, maxDigits: Int) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= maxDigits,
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) })
        else { return nil }
        return UInt64(text, radix: 16)
    }

    private static func hex(_ value: some BinaryInteger, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
