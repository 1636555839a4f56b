#include "cmalloc.h"

#if defined(__GLIBC__)
#include <malloc.h>

int nwsh_set_heap_slack(int bytes) { return mallopt(M_TOP_PAD, bytes); }
#else
int nwsh_set_heap_slack(int bytes) { (void)bytes; return 0; }
#endif
