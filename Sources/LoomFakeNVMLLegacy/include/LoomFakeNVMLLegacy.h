// The legacy fake NVML exports the same test hooks as LoomFakeNVML; see that header.
#include "../../LoomFakeNVML/include/LoomFakeNVML.h"
