#include "interrupts.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

// Shared between the signal handler and the shell's threads. Lock-free atomics are
// async-signal-safe (C11 7.14.1.1), and unlike `volatile sig_atomic_t` they order the accesses
// between threads: `reading` is stored with release after `reading_thread`, so the handler that
// reads `reading` with acquire sees the thread it names.
static atomic_int interrupt_flag = 0;
static atomic_int reading = 0;
// pthread_t is an integer on Linux: atomic too, since the handler may read it while the next
// read begins on another thread.
static _Atomic(pthread_t) reading_thread;
static sigset_t saved_mask;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs lock-free atomics");

static void sigint_handler(int signo) {
    atomic_store_explicit(&interrupt_flag, 1, memory_order_release);
    if (atomic_load_explicit(&reading, memory_order_acquire)) {
        pthread_t thread = atomic_load_explicit(&reading_thread, memory_order_relaxed);
        if (!pthread_equal(pthread_self(), thread)) pthread_kill(thread, signo);
    }
}

int nwsh_install_sigint_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sigint_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(SIGINT, &action, NULL);
}

int nwsh_take_interrupt(void) {
    // One exchange reads and clears the flag: a Ctrl-C that arrives between a read and a clear
    // would otherwise be lost.
    return atomic_exchange_explicit(&interrupt_flag, 0, memory_order_acq_rel) != 0;
}

void nwsh_begin_reading(void) {
    // Dispatch's worker threads block signals; the reading thread must receive SIGINT.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &unblock, &saved_mask);
    atomic_store_explicit(&reading_thread, pthread_self(), memory_order_relaxed);
    // Published after the thread it announces.
    atomic_store_explicit(&reading, 1, memory_order_release);
}

void nwsh_end_reading(void) {
    atomic_store_explicit(&reading, 0, memory_order_release);
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}
