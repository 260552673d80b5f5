// A fake libnvidia-ml for Loom's tests: see FakeNVML.h for the scenario format and how the
// tests load it. Signatures follow nvml.h (NVML API 13); nvmlPciInfo_t is the 68-byte LP64 layout.
#define _GNU_SOURCE
#include "FakeNVML.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_NOT_FOUND = 6,
    NVML_ERROR_INSUFFICIENT_SIZE = 7,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
    NVML_ERROR_UNKNOWN = 999,
};

typedef struct nvmlPciInfo_st {
    char busIdLegacy[16];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId;
    unsigned int pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

_Static_assert(sizeof(nvmlPciInfo_t) == 68, "nvmlPciInfo_t must be 68 bytes, as in nvml.h");

#define FAKE_MAX_DEVICES 16
#define FAKE_MAX_CPUS 4096
#define FAKE_WORD_BITS (8 * sizeof(unsigned long))

typedef struct FakeDevice {
    int isMig;
    int parent;  // index of the parent GPU, for MIG instances
    char uuid[96];
    char name[96];
    char busId[32];
    unsigned char cpus[FAKE_MAX_CPUS / 8];
    int hasCPUs;
    nvmlReturn_t handleError, pciError, affinityError;
} FakeDevice;

typedef FakeDevice *nvmlDevice_t;

static FakeDevice gpus[FAKE_MAX_DEVICES];
static FakeDevice migs[FAKE_MAX_DEVICES];
static int gpuCount, migCount;
static nvmlReturn_t initResult, countResult;
static int initCount;
static char callLog[8192];

static void logCall(const char *name) {
    size_t used = strlen(callLog);
    if (used + strlen(name) + 2 >= sizeof callLog) return;
    if (used > 0) strcat(callLog, ",");
    strcat(callLog, name);
}

int loomFakeNVMLInitCount(void) { return initCount; }
const char *loomFakeNVMLCallLog(void) { return callLog; }

// MARK: Scenario

static void parseCPUList(const char *text, FakeDevice *device) {
    memset(device->cpus, 0, sizeof device->cpus);
    device->hasCPUs = 0;
    if (strcmp(text, "-") == 0) return;
    const char *p = text;
    while (*p) {
        char *end;
        long first = strtol(p, &end, 10);
        long last = first;
        if (*end == '-') last = strtol(end + 1, &end, 10);
        for (long cpu = first; cpu <= last && cpu < FAKE_MAX_CPUS; cpu++) {
            if (cpu >= 0) device->cpus[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
        }
        device->hasCPUs = 1;
        if (*end != ',') break;
        p = end + 1;
    }
}

static void parseGPU(char *rest) {
    if (gpuCount >= FAKE_MAX_DEVICES) return;
    FakeDevice *device = &gpus[gpuCount];
    memset(device, 0, sizeof *device);
    snprintf(device->name, sizeof device->name, "NVIDIA Fake GPU");
    char *save = NULL;
    char *uuid = strtok_r(rest, " \t", &save);
    char *busId = strtok_r(NULL, " \t", &save);
    char *cpus = strtok_r(NULL, " \t", &save);
    if (!uuid || !busId || !cpus) return;
    snprintf(device->uuid, sizeof device->uuid, "%s", uuid);
    snprintf(device->busId, sizeof device->busId, "%s", busId);
    parseCPUList(cpus, device);
    char *option;
    while ((option = strtok_r(NULL, " \t", &save)) != NULL) {
        if (strncmp(option, "handle=", 7) == 0) device->handleError = atoi(option + 7);
        else if (strncmp(option, "pci=", 4) == 0) device->pciError = atoi(option + 4);
        else if (strncmp(option, "affinity=", 9) == 0) device->affinityError = atoi(option + 9);
        else if (strncmp(option, "name=", 5) == 0) {
            // The name is the rest of the line, spaces included.
            char *name = option + 5;
            if (save && *save) name[strlen(name)] = ' ';
            size_t length = strcspn(name, "\n");
            name[length] = '\0';
            snprintf(device->name, sizeof device->name, "%s", name);
            break;
        }
    }
    gpuCount++;
}

static void parseMIG(char *rest) {
    if (migCount >= FAKE_MAX_DEVICES) return;
    FakeDevice *device = &migs[migCount];
    memset(device, 0, sizeof *device);
    char *save = NULL;
    char *uuid = strtok_r(rest, " \t", &save);
    char *parent = strtok_r(NULL, " \t", &save);
    if (!uuid || !parent) return;
    device->isMig = 1;
    device->parent = atoi(parent);
    snprintf(device->uuid, sizeof device->uuid, "%s", uuid);
    migCount++;
}

/// The scenario file: LOOM_FAKE_NVML_SCENARIO, else fake-nvml.scenario in this library's directory.
static int scenarioPath(char *path, size_t size) {
    const char *fromEnvironment = getenv("LOOM_FAKE_NVML_SCENARIO");
    if (fromEnvironment && *fromEnvironment) {
        snprintf(path, size, "%s", fromEnvironment);
        return 1;
    }
    Dl_info info;
    if (!dladdr((void *)&loomFakeNVMLInitCount, &info) || !info.dli_fname) return 0;
    const char *slash = strrchr(info.dli_fname, '/');
    int directoryLength = slash ? (int)(slash - info.dli_fname) : 1;
    snprintf(path, size, "%.*s/fake-nvml.scenario", directoryLength, slash ? info.dli_fname : ".");
    return 1;
}

static void loadScenario(void) {
    gpuCount = 0;
    migCount = 0;
    initResult = NVML_SUCCESS;
    countResult = NVML_SUCCESS;
    char path[4096];
    if (!scenarioPath(path, sizeof path)) return;
    FILE *file = fopen(path, "r");
    if (!file) return;
    char line[1024];
    while (fgets(line, sizeof line, file)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        char *save = NULL;
        char *directive = strtok_r(line, " \t", &save);
        if (!directive) continue;
        char *rest = save ? save : line + strlen(line);
        if (strcmp(directive, "init") == 0) initResult = atoi(rest);
        else if (strcmp(directive, "count") == 0) countResult = atoi(rest);
        else if (strcmp(directive, "gpu") == 0) parseGPU(rest);
        else if (strcmp(directive, "mig") == 0) parseMIG(rest);
    }
    fclose(file);
}

// MARK: NVML

static nvmlReturn_t fakeInit(const char *name) {
    logCall(name);
    loadScenario();
    if (initResult != NVML_SUCCESS) return initResult;
    initCount++;
    return NVML_SUCCESS;
}

static nvmlReturn_t fakeCount(const char *name, unsigned int *deviceCount) {
    logCall(name);
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!deviceCount) return NVML_ERROR_INVALID_ARGUMENT;
    if (countResult != NVML_SUCCESS) return countResult;
    *deviceCount = (unsigned int)gpuCount;
    return NVML_SUCCESS;
}

static nvmlReturn_t fakeHandleByIndex(const char *name, unsigned int index, nvmlDevice_t *device) {
    logCall(name);
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!device || index >= (unsigned int)gpuCount) return NVML_ERROR_INVALID_ARGUMENT;
    if (gpus[index].handleError != NVML_SUCCESS) return gpus[index].handleError;
    *device = &gpus[index];
    return NVML_SUCCESS;
}

static nvmlReturn_t fakePciInfo(const char *name, nvmlDevice_t device, nvmlPciInfo_t *pci) {
    logCall(name);
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!device || !pci || device->isMig) return NVML_ERROR_INVALID_ARGUMENT;
    if (device->pciError != NVML_SUCCESS) return device->pciError;
    memset(pci, 0, sizeof *pci);
    unsigned int domain = 0, bus = 0, dev = 0, function = 0;
    sscanf(device->busId, "%x:%x:%x.%x", &domain, &bus, &dev, &function);
    pci->domain = domain;
    pci->bus = bus;
    pci->device = dev;
    pci->pciDeviceId = 0x233010de;
    pci->pciSubSystemId = 0x16c110de;
    snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", domain & 0xffff, bus, dev);
    snprintf(pci->busId, sizeof pci->busId, "%s", device->busId);
    return NVML_SUCCESS;
}

static nvmlReturn_t fakeAffinity(const char *name, nvmlDevice_t device, unsigned int cpuSetSize,
                                 unsigned long *cpuSet) {
    logCall(name);
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!device || !cpuSet || cpuSetSize == 0 || device->isMig) return NVML_ERROR_INVALID_ARGUMENT;
    if (device->affinityError != NVML_SUCCESS) return device->affinityError;
    memset(cpuSet, 0, cpuSetSize * sizeof(unsigned long));
    for (int cpu = 0; cpu < FAKE_MAX_CPUS; cpu++) {
        if (!(device->cpus[cpu / 8] & (1u << (cpu % 8)))) continue;
        // Like NVML, CPUs beyond the caller's buffer are left out.
        unsigned int word = (unsigned int)(cpu / FAKE_WORD_BITS);
        if (word < cpuSetSize) cpuSet[word] |= 1ul << (cpu % FAKE_WORD_BITS);
    }
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlShutdown(void) {
    logCall("nvmlShutdown");
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    initCount--;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    logCall("nvmlDeviceGetUUID");
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!device || !uuid) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(device->uuid) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(uuid, device->uuid);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    logCall("nvmlDeviceGetName");
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!device || !name) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(device->name) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(name, device->name);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
    logCall("nvmlDeviceGetHandleByUUID");
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!uuid || !device) return NVML_ERROR_INVALID_ARGUMENT;
    for (int i = 0; i < gpuCount; i++) {
        if (strcmp(gpus[i].uuid, uuid) == 0) {
            *device = &gpus[i];
            return NVML_SUCCESS;
        }
    }
    for (int i = 0; i < migCount; i++) {
        if (strcmp(migs[i].uuid, uuid) == 0) {
            *device = &migs[i];
            return NVML_SUCCESS;
        }
    }
    return NVML_ERROR_NOT_FOUND;
}

#ifdef LOOM_FAKE_NVML_LEGACY

// An old driver: no _v2/_v3 names, no affinity scopes, no MIG.
nvmlReturn_t nvmlInit(void) { return fakeInit("nvmlInit"); }
nvmlReturn_t nvmlDeviceGetCount(unsigned int *deviceCount) { return fakeCount("nvmlDeviceGetCount", deviceCount); }
nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device) {
    return fakeHandleByIndex("nvmlDeviceGetHandleByIndex", index, device);
}
nvmlReturn_t nvmlDeviceGetPciInfo_v2(nvmlDevice_t device, nvmlPciInfo_t *pci) {
    return fakePciInfo("nvmlDeviceGetPciInfo_v2", device, pci);
}
nvmlReturn_t nvmlDeviceGetCpuAffinity(nvmlDevice_t device, unsigned int cpuSetSize, unsigned long *cpuSet) {
    return fakeAffinity("nvmlDeviceGetCpuAffinity", device, cpuSetSize, cpuSet);
}

#else

// A current driver exports both the old and the new names, as libnvidia-ml.so.1 does.
nvmlReturn_t nvmlInit(void) { return fakeInit("nvmlInit"); }
nvmlReturn_t nvmlInit_v2(void) { return fakeInit("nvmlInit_v2"); }
nvmlReturn_t nvmlDeviceGetCount(unsigned int *deviceCount) { return fakeCount("nvmlDeviceGetCount", deviceCount); }
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
    return fakeCount("nvmlDeviceGetCount_v2", deviceCount);
}
nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device) {
    return fakeHandleByIndex("nvmlDeviceGetHandleByIndex", index, device);
}
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    return fakeHandleByIndex("nvmlDeviceGetHandleByIndex_v2", index, device);
}
nvmlReturn_t nvmlDeviceGetPciInfo_v2(nvmlDevice_t device, nvmlPciInfo_t *pci) {
    return fakePciInfo("nvmlDeviceGetPciInfo_v2", device, pci);
}
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
    return fakePciInfo("nvmlDeviceGetPciInfo_v3", device, pci);
}
nvmlReturn_t nvmlDeviceGetCpuAffinity(nvmlDevice_t device, unsigned int cpuSetSize, unsigned long *cpuSet) {
    return fakeAffinity("nvmlDeviceGetCpuAffinity", device, cpuSetSize, cpuSet);
}
nvmlReturn_t nvmlDeviceGetCpuAffinityWithinScope(nvmlDevice_t device, unsigned int cpuSetSize,
                                                 unsigned long *cpuSet, unsigned int scope) {
    if (scope > 1) return NVML_ERROR_INVALID_ARGUMENT;
    return fakeAffinity("nvmlDeviceGetCpuAffinityWithinScope", device, cpuSetSize, cpuSet);
}

nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int *isMigDevice) {
    logCall("nvmlDeviceIsMigDeviceHandle");
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!device || !isMigDevice) return NVML_ERROR_INVALID_ARGUMENT;
    *isMigDevice = device->isMig ? 1u : 0u;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t migDevice, nvmlDevice_t *device) {
    logCall("nvmlDeviceGetDeviceHandleFromMigDeviceHandle");
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
    if (!migDevice || !device || !migDevice->isMig) return NVML_ERROR_INVALID_ARGUMENT;
    if (migDevice->parent < 0 || migDevice->parent >= gpuCount) return NVML_ERROR_NOT_FOUND;
    *device = &gpus[migDevice->parent];
    return NVML_SUCCESS;
}

#endif
