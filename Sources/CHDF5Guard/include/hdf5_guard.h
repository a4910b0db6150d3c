// A last line of defence for reading damaged HDF5 files.
//
// HDF5 1.10 trusts some structures it reads: a damaged global heap (where variable-length
// strings live) can make it loop forever or read wild pointers, and h5dump fails the same
// way. infoplane validates what it can before calling HDF5 (shapes, sizes, attribute
// dataspaces); for what only HDF5 parses, the command-line tool installs this guard: a
// SIGSEGV/SIGBUS inside the process, or a string read that does not return within a
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

#endif
