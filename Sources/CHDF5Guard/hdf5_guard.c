#include "hdf5_guard.h"
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

// Written before each file is opened and read only by the handlers below (which may
// run at any moment, so they use only async-signal-safe calls: write, _exit).
static char guard_file[1024];
static volatile sig_atomic_t guard_active = 0;
// The real stderr while ip_guard_quiet_begin has pointed fd 2 at /dev/null, else -1.
static volatile sig_atomic_t saved_stderr = -1;

static void guard_write(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(saved_stderr >= 0 ? saved_stderr : 2, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void guard_handler(int signal) {
    guard_write("infoplane: ");
    guard_write(guard_file[0] ? guard_file : "an HDF5 file");
    guard_write(signal == SIGALRM
                ? ": the HDF5 library stopped responding while reading it (a damaged file?; see docs/run-file.md, Damaged files)\n"
                : ": the HDF5 library crashed while reading it (a damaged file?; see docs/run-file.md, Damaged files)\n");
    _exit(2);
}

void ip_guard_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = guard_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    // glibc aborts on the heap corruption a damaged file can make HDF5 commit (seen when
    // its metadata cache frees a mangled entry as the file closes); HDF5's own asserts abort too.
    sigaction(SIGABRT, &action, NULL);
    sigaction(SIGALRM, &action, NULL);
    // A parent may have started us with these signals blocked (the mask is inherited):
    // unblock them, or the deadline would never fire.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    sigaddset(&set, SIGABRT);
    sigaddset(&set, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    guard_active = 1;
}

int ip_guard_installed(void) { return guard_active; }

void ip_guard_set_file(const char *path) {
    size_t length = strlen(path);
    if (length > sizeof guard_file - 1) length = sizeof guard_file - 1;
    memcpy(guard_file, path, length);
    guard_file[length] = 0;
}

void ip_guard_deadline(unsigned seconds) {
    if (guard_active) alarm(seconds);
}
void ip_guard_quiet_begin(void) {
    if (!guard_active || saved_stderr >= 0) return;
    int saved = dup(2);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved < 0 || null < 0) {
        if (saved >= 0) close(saved);
        if (null >= 0) close(null);
        return;
    }
    saved_stderr = saved;
    dup2(null, 2);
    close(null);
}
void ip_guard_quiet_end(void) {
    if (saved_stderr < 0) return;
    int saved = saved_stderr;
    dup2(saved, 2);
    saved_stderr = -1;
    close(saved);
}
