import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("PCIAddress")
struct PCIAddressTests {
    @Test(
        "bus ids convert between NVML's and sysfs's spellings through integers",
        arguments: [
            ("00000000:3B:00.0", "0000:3b:00.0", "00000000:3B:00.0"),
            ("0000:3b:00.0", "0000:3b:00.0", "00000000:3B:00.0"),
            ("0000:3B:00.0", "0000:3b:00.0", "00000000:3B:00.0"),
            ("00010000:01:00.0", "10000:01:00.0", "00010000:01:00.0"),
            ("10000:01:00.0", "10000:01:00.0", "00010000:01:00.0"),
            ("3b:00.0", "0000:3b:00.0", "00000000:3B:00.0"),
            ("0001:b3:1f.7\n", "0001:b3:1f.7", "00000001:B3:1F.7"),
            ("ffffffff:ff:1f.7", "ffffffff:ff:1f.7", "FFFFFFFF:FF:1F.7"),
        ]
    )
    func conversions(text: String, sysfs: String, nvml: String) throws {
        let address = try #require(PCIAddress(parsing: text))
        #expect(address.sysfsName == sysfs)
        #expect(address.nvmlBusID == nvml)
        #expect(PCIAddress(parsing: address.nvmlBusID) == address)
        #expect(PCIAddress(parsing: address.sysfsName) == address)
    }

    @Test(
        "malformed bus ids are rejected",
        arguments: [
            "", "0000:3b:00", "0000:3b:20.0", "0000:3b:00.8", "100000000:00:00.0", "0000:100:00.0", "zz:00.0",
            "0000:3b:00.0.1", "0000::00.0", "0000:3b:-1.0", "1:2:3:4.0", "+000:3b:00.0",
        ]
    )
    func malformed(text: String) {
        #expect(PCIAddress(parsing: text) == nil)
    }

    @Test("addresses order by domain, bus, device and function")
    func order() throws {
        let texts = ["10000:01:00.0", "0000:b3:00.0", "0000:17:00.1", "0000:17:00.0", "0001:00:00.0"]
        let sorted = texts.compactMap(PCIAddress.init(parsing:)).sorted().map(\.sysfsName)
        #expect(sorted == ["0000:17:00.0", "0000:17:00.1", "0000:b3:00.0", "0001:00:00.0", "10000:01:00.0"])
    }
}
