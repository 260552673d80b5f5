// The fake NVML of an old driver, for Loom's tests: the same code as LoomFakeNVML, built without the
// _v2/_v3 names, nvmlDeviceGetCpuAffinityWithinScope and the MIG functions (see LoomFakeNVML.h).
#define LOOM_FAKE_NVML_LEGACY 1
#include "../LoomFakeNVML/FakeNVML.c"
