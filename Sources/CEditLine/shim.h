// A thin C shim over libedit's readline-compatible API.
//
// Swift 6 rejects references to mutable C globals (rl_* variables, stdin/stdout) as not
// concurrency-safe, so every global that nwsh reads or writes goes through a tiny accessor here.
#ifndef NWSH_CEDITLINE_SHIM_H
#define NWSH_CEDITLINE_SHIM_H

#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <editline/readline.h>

/// Set by the SIGINT handler; read and cleared by nwsh_take_interrupt().
static volatile sig_atomic_t nwsh_interrupt_flag = 0;

static void nwsh_sigint_handler(int signo) {
    (void)signo;
    nwsh_interrupt_flag = 1;
}

/// Installs a SIGINT handler without SA_RESTART, so Ctrl-C interrupts a blocking read
/// (libedit then returns NULL from readline) instead of killing the process.
static inline int nwsh_install_sigint_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = nwsh_sigint_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    return sigaction(SIGINT, &action, NULL);
}

/// Returns 1 (and clears the flag) when Ctrl-C was pressed since the last call.
static inline int nwsh_take_interrupt(void) {
    if (nwsh_interrupt_flag) {
        nwsh_interrupt_flag = 0;
        return 1;
    }
    return 0;
}

static inline void nwsh_set_completion_function(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}

static inline void nwsh_set_attempted_completion_over(int value) {
    rl_attempted_completion_over = value;
}

/// Word breaks for completion: `$` is not one, so `$sub<Tab>` completes variable names.
static inline void nwsh_set_word_break_characters(void) {
    rl_basic_word_break_characters = " \t\n\"'=;|&(";
}

static inline void nwsh_set_completion_append_character(int character) {
    rl_completion_append_character = character;
}

static inline const char *nwsh_line_buffer(void) {
    return rl_line_buffer;
}

static inline void nwsh_set_readline_name(const char *name) {
    rl_readline_name = name;
}

static inline int nwsh_history_length(void) {
    return history_length;
}

#endif
