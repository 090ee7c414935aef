#include "CKSMSupport.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* The pipe the handler writes to; set before the handler is installed. */
static volatile int ksmscope_signal_fd = -1;

static void ksmscope_on_signal(int signo) {
    int saved = errno;
    unsigned char number = (unsigned char)signo;
    ssize_t written = write(ksmscope_signal_fd, &number, 1);
    (void)written;
    errno = saved;
}

int ksmscope_catch_signal(int signo, int fd, struct sigaction *previous) {
    ksmscope_signal_fd = fd;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ksmscope_on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(signo, &action, previous);
}

int ksmscope_restore_signal(int signo, const struct sigaction *previous) {
    return sigaction(signo, previous, NULL);
}
