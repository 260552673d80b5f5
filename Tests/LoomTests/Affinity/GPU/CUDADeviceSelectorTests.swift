import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("CUDADeviceSelector")
struct CUDADeviceSelectorTests {
    @Test(
        "a decimal is an ordinal, anything else a UUID or prefix",
        arguments: [
            ("0", CUDADeviceSelector.ordinal(0)),
            (" 3\n", .ordinal(3)),
            ("GPU-8932f937", .uuid("GPU-8932f937")),
            ("MIG-5c1e0000-6666-7777-8888-000000000001", .uuid("MIG-5c1e0000-6666-7777-8888-000000000001")),
            ("0x1", .uuid("0x1")),
        ]
    )
    func parsing(text: String, expected: CUDADeviceSelector) {
        #expect(CUDADeviceSelector(parsing: text) == expected)
        #expect(CUDADeviceSelector(parsing: expected.description) == expected)
    }
}
