// The kernels for the architecture's baseline instruction set: any x86-64 (SSE2), any ARM64.

// The 8-lane vectors of the bodies are passed between static functions only (inlined), never
// across a library boundary, so the ABI note about AVX vectors without AVX does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

#define MIRAGE_ISA portable
#include "KernelBodies.h"
#include "TableDefinition.h"
