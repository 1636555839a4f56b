// malloc tuning, in C because Swift's Glibc module does not export <malloc.h>.
#ifndef NWSH_CMALLOC_H
#define NWSH_CMALLOC_H

/// Lets glibc grow (and keep) the heap `bytes` beyond what it needs each time it grows it
/// (M_TOP_PAD), so a command that allocates a lot does not grow it a few pages at a time, each an
/// mprotect call. Slack that is never touched costs no memory. Returns 1 on success, 0 when the
/// C library has no such setting.
int nwsh_set_heap_slack(int bytes);

#endif
