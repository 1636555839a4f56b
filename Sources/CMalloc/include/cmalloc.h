// malloc tuning, in C because Swift's Glibc module does not export <malloc.h>.
#ifndef NWSH_CMALLOC_H
#define NWSH_CMALLOC_H

/// Tunes glibc's malloc for nwsh, whose commands run on a worker thread and allocate in bursts
/// (a 10,000-hop result: some 10 MB in a few thousand 4 KB pages, each a page fault, which on a
/// virtual machine can cost 10 µs):
/// - one arena for all threads (M_ARENA_MAX), so the worker's memory comes from the main heap;
/// - that heap is grown by 64 MB of address space at start-up and kept (M_TOP_PAD,
///   M_TRIM_THRESHOLD), with transparent huge pages asked for over it (madvise MADV_HUGEPAGE,
///   which glibc's own `glibc.malloc.hugetlb=1` tunable does, but only when set in the
///   environment before start): where the system allows them, a burst faults in a few 2 MB pages
///   instead of thousands of small ones, and memory is given only when touched;
/// - blocks up to 32 MB come from the heap rather than from mmap (M_MMAP_THRESHOLD), so memory
///   freed by one stage (a file's bytes) is reused by the next instead of returned to the kernel
///   and faulted in again.
/// Call it first thing on the main thread. Returns 1 when the malloc settings were taken, plus 2
/// when huge pages were asked for over the heap; 0 with another C library.
int nwsh_tune_malloc(void);

#endif
