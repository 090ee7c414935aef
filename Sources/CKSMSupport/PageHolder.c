#include "CKSMSupport.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child reports {errno, address} through a pipe: errno 0 means the copy is in place. */
struct holder_report {
    int error;
    unsigned long address;
};

static void child_main(int report_fd, pid_t parent, const void *source, size_t length) {
    struct holder_report report = {0, 0};
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
    void *region = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        report.error = errno;
    } else {
        /* Huge pages would make ksmd split them first; keep the layout the model assumes. */
        (void)madvise(region, length, MADV_NOHUGEPAGE);
        memcpy(region, source, length);
        if (madvise(region, length, MADV_MERGEABLE) != 0) report.error = errno;
        report.address = (unsigned long)region;
    }
    ssize_t written = write(report_fd, &report, sizeof report);
    (void)written;
    close(report_fd);
    if (report.error != 0) _exit(1);
    for (;;) pause();
}

pid_t ksmscope_spawn_page_holder(const void *source, size_t length, unsigned long *address) {
    int fds[2];
    if (length == 0) { errno = EINVAL; return -1; }
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fds[1], parent, source, length);
    }
    close(fds[1]);
    struct holder_report report = {ECHILD, 0};
    ssize_t got;
    do { got = read(fds[0], &report, sizeof report); } while (got < 0 && errno == EINTR);
    close(fds[0]);
    if (got != (ssize_t)sizeof report || report.error != 0) {
        int saved = got == (ssize_t)sizeof report ? report.error : ECHILD;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        errno = saved;
        return -1;
    }
    *address = report.address;
    return pid;
}

