// SIGBUS guard for read-only file mappings: see ksmscope_fault_guard_add in CKSMSupport.h.
#include "CKSMSupport.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARD_SLOTS 4096

struct guard {
    _Atomic uintptr_t base;
    _Atomic size_t length;
    _Atomic int faulted;
};

static struct guard guards[GUARD_SLOTS];
static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static uintptr_t page_mask;

// Only async-signal-safe work: atomic loads and stores, mmap (a plain system call on Linux) and
// sigaction.
static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
    (void)signal_number;
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int slot = 0; slot < GUARD_SLOTS; slot++) {
        uintptr_t base = atomic_load(&guards[slot].base);
        size_t length = atomic_load(&guards[slot].length);
        if (base == 0 || address < base || address - base >= length) continue;
        uintptr_t page = address & ~page_mask;
        // Zero pages from the fault to the end of the mapping: later pages past the new end of
        // the file would fault one by one otherwise.
        void *zero = mmap((void *)page, base + length - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zero == MAP_FAILED) break;
        atomic_store(&guards[slot].faulted, 1);
        return;
    }
    // Not a watched mapping: fault again under the previous disposition.
    sigaction(SIGBUS, &previous, NULL);
}

static void install(void) {
    page_mask = (uintptr_t)sysconf(_SC_PAGESIZE) - 1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous);
}

int ksmscope_fault_guard_add(const void *base, size_t length) {
    pthread_once(&installed, install);
    size_t rounded = (length + page_mask) & ~page_mask;
    for (int slot = 0; slot < GUARD_SLOTS; slot++) {
        uintptr_t expected = 0;
        // Claim the slot with a placeholder so the handler never sees a half-written entry.
        if (atomic_compare_exchange_strong(&guards[slot].base, &expected, (uintptr_t)1)) {
            atomic_store(&guards[slot].faulted, 0);
            atomic_store(&guards[slot].length, rounded);
            atomic_store(&guards[slot].base, (uintptr_t)base);
            return slot;
        }
    }
    return -1;
}

void ksmscope_fault_guard_remove(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return;
    atomic_store(&guards[slot].length, 0);
    atomic_store(&guards[slot].base, 0);
}

int ksmscope_fault_guard_faulted(int slot) {
    if (slot < 0 || slot >= GUARD_SLOTS) return 0;
    return atomic_load(&guards[slot].faulted);
}
