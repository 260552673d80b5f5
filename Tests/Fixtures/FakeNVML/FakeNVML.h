// The fake NVML: a stand-in for NVIDIA's libnvidia-ml.so.1, for Loom's tests only. Not part of Loom's API.
//
// It exports the NVML functions Loom's GPULocator looks up with dlsym (same names, same C signatures as
// nvml.h), answering from a scenario file instead of a GPU. The tests copy the built library into a
// temporary directory, write `fake-nvml.scenario` beside the copy and point LOOM_NVML_LIBRARY at the copy.
// Each copy is a different file, so the dynamic loader maps it separately with its own globals: tests that
// run in parallel never share fake state, and no process environment variable is needed. The scenario file
// is read at nvmlInit*, found next to the library itself (dladdr); LOOM_FAKE_NVML_SCENARIO, when set,
// names another file (handy for trying the fake by hand).
//
// Scenario format, one directive per line, `#` starts a comment:
//
//   init <code>                      nvmlInit* returns this nvmlReturn_t (default 0, NVML_SUCCESS)
//   count <code>                     nvmlDeviceGetCount* returns this code
//   gpu <uuid> <busId> <cpus|-> [handle=<code>] [pci=<code>] [affinity=<code>] [name=<rest of line>]
//                                    a GPU, in NVML index order; <busId> is what nvmlPciInfo_t.busId says
//                                    (e.g. 00000000:17:00.0); <cpus> its CPU affinity as a Linux CPU list
//                                    ("-" for none); the codes make the named call fail for this GPU
//   mig <uuid> <parent index>        a MIG instance of GPU <parent index>, found by nvmlDeviceGetHandleByUUID
//
// Built with LOOM_FAKE_NVML_LEGACY defined (the tests build both variants), it exports only the old names
// (nvmlInit, nvmlDeviceGetCount, nvmlDeviceGetHandleByIndex, nvmlDeviceGetPciInfo_v2,
// nvmlDeviceGetCpuAffinity) and no MIG functions, to test Loom's symbol fallbacks.
#ifndef LOOM_FAKE_NVML_H
#define LOOM_FAKE_NVML_H

#ifdef __cplusplus
extern "C" {
#endif

/// How many nvmlInit* calls have not yet been matched by nvmlShutdown (test introspection).
int loomFakeNVMLInitCount(void);

/// The NVML functions called since the library was loaded, comma-separated, in call order (test introspection).
const char *loomFakeNVMLCallLog(void);

#ifdef __cplusplus
}
#endif

#endif
