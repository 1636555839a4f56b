// libFuzzer's driver, for a fuzz target whose `main` is its own (SwiftPM renames an executable's
// entry point, so libFuzzer's `main` never runs). Provided by the runtime that
// `-sanitize=fuzzer` links; declared here only.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
