// A thin C shim over libedit's readline-compatible API.
//
// Swift 6 rejects references to mutable C globals (rl_* variables, stdin/stdout) as not
// concurrency-safe, so every global that nwsh reads or writes goes through a tiny accessor here.
#ifndef NWSH_CEDITLINE_SHIM_H
#define NWSH_CEDITLINE_SHIM_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <editline/readline.h>

static inline void nwsh_set_completion_function(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}

static inline void nwsh_set_attempted_completion_over(int value) {
    rl_attempted_completion_over = value;
}

/// Word breaks for completion: `$` is not one, so `$sub<Tab>` completes variable names; `/` is,
/// so an ARM path completes (and its candidates are listed) one segment at a time.
static inline void nwsh_set_word_break_characters(void) {
    rl_basic_word_break_characters = " \t\n\"'=;|&(/";
}

static inline void nwsh_set_completion_append_character(int character) {
    rl_completion_append_character = character;
}

/// Redraws the prompt and the line being edited, after a message was written above it.
static inline void nwsh_redisplay(void) {
    rl_forced_update_display();
}

static inline const char *nwsh_line_buffer(void) {
    return rl_line_buffer;
}

/// Whether libedit installs its own signal handlers while reading. nwsh turns this off: libedit's
/// handler re-raises the signal to the whole process group, which reaches other threads.
static inline void nwsh_set_catch_signals(int value) {
    rl_catch_signals = value;
}

static inline void nwsh_set_readline_name(const char *name) {
    rl_readline_name = name;
}

static inline int nwsh_history_length(void) {
    return history_length;
}

static inline int nwsh_history_base(void) {
    return history_base;
}

#endif
