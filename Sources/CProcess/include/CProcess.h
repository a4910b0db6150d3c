// Process-level C helpers: standard output's buffering and the training interruption
// flag, which Swift 6 cannot touch without escape hatches (C's `stdout` is a mutable
// global; a signal handler may only store to a `volatile sig_atomic_t`).
#ifndef INFOPLANE_CPROCESS_H
#define INFOPLANE_CPROCESS_H

/// Makes standard output line-buffered (for a log file or a pipe: lines arrive in order
/// with standard error's and are not lost to a kill while sitting in a 4 KiB block).
void ip_line_buffer_stdout(void);

/// Installs handlers for SIGINT and SIGTERM that record the signal and restore the
/// default action, so that a second signal ends the process at once.
void ip_interruption_install(void);

/// The signal recorded by those handlers, or 0.
int ip_interruption_signal(void);

#endif
