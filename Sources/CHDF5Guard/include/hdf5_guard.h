// A last line of defence for reading damaged HDF5 files.
//
// HDF5 1.10 trusts some structures it reads: a damaged global heap (where variable-length
// strings live) can make it loop forever or read wild pointers, and h5dump fails the same
// way. infoplane validates what it can before calling HDF5 (shapes, sizes, attribute
// dataspaces); for what only HDF5 parses, the command-line tool installs this guard: a
// SIGSEGV/SIGBUS/SIGABRT inside the process, or a string read that does not return within a
// deadline, ends the process with one line naming the file and exit code 2 (bad input),
// instead of a crash or a hang. Libraries and tests do not install it.
#ifndef INFOPLANE_HDF5_GUARD_H
#define INFOPLANE_HDF5_GUARD_H

/// Installs the handlers (process-wide; call once, from main).
void ip_guard_install(void);
/// Whether ip_guard_install has run.
int ip_guard_installed(void);
/// The file being read, for the message (copied; truncated to 1023 bytes).
void ip_guard_set_file(const char *path);
/// Arms (seconds > 0) or disarms (0) the deadline of a read that may hang.
void ip_guard_deadline(unsigned seconds);
/// While a read-only file closes: glibc prints its own line ("free(): invalid pointer")
/// before aborting on heap corruption that a damaged file made HDF5 commit, so stderr is
/// pointed at /dev/null until ip_guard_quiet_end (the guard's own message still goes to
/// the real stderr). No-ops unless the guard is installed.
void ip_guard_quiet_begin(void);
void ip_guard_quiet_end(void);

#endif
