#include "interrupts.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupt_flag = 0;
static volatile sig_atomic_t reading = 0;
static pthread_t reading_thread;
static sigset_t saved_mask;

static void sigint_handler(int signo) {
    interrupt_flag = 1;
    if (reading && !pthread_equal(pthread_self(), reading_thread)) {
        pthread_kill(reading_thread, signo);
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
    if (interrupt_flag) {
        interrupt_flag = 0;
        return 1;
    }
    return 0;
}

void nwsh_begin_reading(void) {
    // Dispatch's worker threads block signals; the reading thread must receive SIGINT.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &unblock, &saved_mask);
    reading_thread = pthread_self();
    reading = 1;
}

void nwsh_end_reading(void) {
    reading = 0;
    pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}
