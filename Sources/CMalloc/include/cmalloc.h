// malloc tuning, in C because Swift's Glibc module does not export <malloc.h>.
#ifndef NWSH_CMALLOC_H
#define NWSH_CMALLOC_H

/// Tunes glibc's malloc for nwsh, whose commands run on a worker thread and allocate in bursts:
/// blocks up to 32 MB come from the heap rather than from mmap (M_MMAP_THRESHOLD), so memory
/// freed by one stage (a file's bytes) is reused by the next instead of returned to the kernel
/// and faulted in again; and the heap grows with 8 MB of slack (M_TOP_PAD). Returns 1 when both
/// settings were taken, 0 otherwise (another C library).
int nwsh_tune_malloc(void);

#endif
