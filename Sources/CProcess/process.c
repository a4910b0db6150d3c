#include "CProcess.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t received = 0;

static void record(int number) {
    received = number;
    signal(number, SIG_DFL);  /* async-signal-safe; the next one is not waited for */
}

void ip_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void ip_interruption_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* A parent may have started us with them blocked (the mask is inherited; Foundation's
       Process does so): unblock them on this thread, which then receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int ip_interruption_signal(void) { return received; }
