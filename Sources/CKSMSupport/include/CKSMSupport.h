#ifndef CKSMSUPPORT_H
#define CKSMSUPPORT_H

#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

/// Forks a child process that holds a copy of `length` bytes of `source` in fresh private
/// anonymous memory marked MADV_MERGEABLE (and MADV_NOHUGEPAGE), so that the kernel's ksmd
/// scans it as one registered mm.
///
/// The child runs only async-signal-safe C after fork(): mmap, memcpy, madvise, write, pause.
/// It dies with its parent (PR_SET_PDEATHSIG) and otherwise waits until it is killed.
/// Returns the child's pid once the copy is in place and stores the region's address (as the
/// child sees it) in `address`, or returns -1 with errno set (the child's errno when the child
/// failed).
pid_t ksmscope_spawn_page_holder(const void *source, size_t length, unsigned long *address);

/// Catches signal `signo` with a handler that writes the signal's number as one byte to `fd`
/// (the self-pipe trick: the handler only calls write(), which is async-signal-safe, and a
/// thread reading the pipe does the real work). Stores the disposition it replaces in
/// `previous`. Returns 0, or -1 with errno set.
int ksmscope_catch_signal(int signo, int fd, struct sigaction *previous);

/// Puts back a disposition saved by ksmscope_catch_signal(). Returns 0, or -1 with errno set.
int ksmscope_restore_signal(int signo, const struct sigaction *previous);

/// Watches a read-only file mapping for SIGBUS (the file was truncated by another process
/// while it is mapped): the fault is caught, the rest of the mapping from the faulting page on
/// is replaced by anonymous zero pages so the reading thread can go on, and the slot records
/// the fault. The scan checks the slot and fails with one clear line instead of dying.
///
/// Installs a process-wide SIGBUS handler on first use; faults outside watched mappings get
/// the previous disposition back and fault again (so a real bug still kills the process).
/// Returns a slot, or -1 when all slots are taken (the mapping is then not watched).
int ksmscope_fault_guard_add(const void *base, size_t length);

/// Stops watching the mapping of `slot` (before it is unmapped).
void ksmscope_fault_guard_remove(int slot);

/// Whether a fault was caught in the mapping of `slot` since it was added.
int ksmscope_fault_guard_faulted(int slot);

/// Lowers the calling process to the least CPU priority (nice 19) and the idle I/O class
/// (ioprio_set IOPRIO_CLASS_IDLE), so that reading guest memory on a production host yields to
/// the guests. Returns 0, or -1 with errno set when either call fails.
int ksmscope_lower_priority(void);

#endif
