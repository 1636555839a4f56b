#include "cmalloc.h"

// Any C library header defines __GLIBC__ when the library is glibc.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/// How much heap is reserved up front with huge pages asked for (address space only: pages
/// are given memory when first touched).
static const size_t reserve = 64 * 1024 * 1024;
static const uintptr_t hugePage = 2 * 1024 * 1024;

int nwsh_tune_malloc(void) {
    int taken = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        & mallopt(M_ARENA_MAX, 1)
        & mallopt(M_TRIM_THRESHOLD, 2 * reserve)
        & mallopt(M_TOP_PAD, reserve);
    // Grow the heap by the reserve now (a block larger than what is left at its top, freed at
    // once, stays there: the trim threshold is above it), then ask for huge pages over it.
    char *block = malloc(hugePage);
    free(block);
    int advised = 0;
#if defined(MADV_HUGEPAGE)
    uintptr_t start = ((uintptr_t)block + hugePage - 1) & ~(hugePage - 1);
    uintptr_t end = (uintptr_t)sbrk(0) & ~(hugePage - 1);
    // Only over the main heap's top: from another thread, the block comes from another arena.
    advised = block != NULL && end > start && end - start <= reserve + 2 * hugePage
        && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0;
#endif
    // Later growth (beyond the reserve) with the usual slack.
    taken &= mallopt(M_TOP_PAD, 8 * 1024 * 1024);
    return (taken ? 1 : 0) | (advised ? 2 : 0);
}
#else
int nwsh_tune_malloc(void) { return 0; }
#endif
