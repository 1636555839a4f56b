// Ctrl-C handling for the interactive shell, in C because a signal handler may only touch
// async-signal-safe state.
#ifndef NWSH_INTERRUPTS_H
#define NWSH_INTERRUPTS_H

/// Installs a SIGINT handler without SA_RESTART, so Ctrl-C interrupts a blocking read (libedit then
/// returns NULL from readline) instead of ending the process. Returns 0 on success.
int nwsh_install_sigint_handler(void);

/// Returns 1 (and clears the flag) when Ctrl-C was pressed since the last call.
int nwsh_take_interrupt(void);

/// Marks the calling thread as the one blocked reading input, and unblocks SIGINT on it. The
/// kernel delivers SIGINT to any thread of the process; the handler forwards it to this one so
/// that its read(2) is interrupted.
void nwsh_begin_reading(void);

/// Clears the reading thread and restores its signal mask (call when readline returns).
void nwsh_end_reading(void);

#endif
