// measure: runs a command, times it, and optionally samples its memory.
//
//   measure [-i MICROSECONDS] [-o FILE] -- COMMAND [ARGS...]
//
// Forks and execs COMMAND with standard output sent to FILE (default /dev/null), and waits.
// With -i N > 0 it reads /proc/PID/status every N microseconds while the command runs and
// keeps the peaks of RssAnon (anonymous memory: heap, stacks, anonymous mmaps; file pages
// mapped from the images are NOT in it, they are in RssFile), RssFile, RssShmem and VmHWM
// (the kernel's own high-water mark of the whole RSS, file pages included). -i 0 disables
// sampling, for timing runs: on a 2-core machine the sampler would compete with the workers.
//
// Prints one line on standard error:
//   wall_s=... rc=... samples=... peak_rss_anon_kib=... peak_rss_file_kib=... peak_rss_shmem_kib=...
//   vmhwm_kib=... maxrss_kib=... user_s=... sys_s=...
// (maxrss is getrusage's ru_maxrss: the same as VmHWM at exit.)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long field(const char *text, const char *name) {
    const char *p = strstr(text, name);
    if (!p) return -1;
    return strtol(p + strlen(name), NULL, 10);
}

int main(int argc, char **argv) {
    long interval = 2000;
    const char *out = "/dev/null";
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
            interval = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: measure [-i MICROSECONDS] [-o FILE] -- COMMAND [ARGS...]\n");
        return 64;
    }
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "measure: %s: %s\n", out, strerror(errno));
        return 1;
    }
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 1;
    }
    if (pid == 0) {
        dup2(fd, STDOUT_FILENO);
        execvp(argv[i], argv + i);
        fprintf(stderr, "measure: %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    close(fd);
    char path[64], text[8192];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    long anon = 0, file = 0, shmem = 0, hwm = 0, samples = 0;
    int status = 0;
    struct rusage usage;
    for (;;) {
        pid_t done = wait4(pid, &status, interval > 0 ? WNOHANG : 0, &usage);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) {
            perror("measure: wait4");
            return 1;
        }
        if (interval <= 0) continue;
        int sfd = open(path, O_RDONLY | O_CLOEXEC);
        if (sfd >= 0) {
            ssize_t n = read(sfd, text, sizeof text - 1);
            close(sfd);
            if (n > 0) {
                text[n] = 0;
                long v;
                if ((v = field(text, "RssAnon:")) > anon) anon = v;
                if ((v = field(text, "RssFile:")) > file) file = v;
                if ((v = field(text, "RssShmem:")) > shmem) shmem = v;
                if ((v = field(text, "VmHWM:")) > hwm) hwm = v;
                samples++;
            }
        }
        struct timespec pause = {.tv_sec = interval / 1000000, .tv_nsec = (interval % 1000000) * 1000};
        nanosleep(&pause, NULL);
    }
    double wall = now() - start;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr,
            "wall_s=%.6f rc=%d samples=%ld peak_rss_anon_kib=%ld peak_rss_file_kib=%ld peak_rss_shmem_kib=%ld "
            "vmhwm_kib=%ld maxrss_kib=%ld user_s=%.3f sys_s=%.3f\n",
            wall, rc, samples, anon, file, shmem, hwm, usage.ru_maxrss,
            (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6,
            (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec * 1e-6);
    return rc;
}
