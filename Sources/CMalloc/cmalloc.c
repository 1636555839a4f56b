#include "cmalloc.h"

// Any C library header defines __GLIBC__ when the library is glibc.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

int nwsh_tune_malloc(void) {
    int threshold = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    int pad = mallopt(M_TOP_PAD, 8 * 1024 * 1024);
    return threshold == 1 && pad == 1;
}
#else
int nwsh_tune_malloc(void) { return 0; }
#endif
