// Low CPU and I/O priority for `ksmscope fingerprint`: see CKSMSupport.h.
#include "CKSMSupport.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

// From linux/ioprio.h, which glibc does not wrap.
#define KSMSCOPE_IOPRIO_WHO_PROCESS 1
#define KSMSCOPE_IOPRIO_CLASS_IDLE 3
#define KSMSCOPE_IOPRIO_CLASS_SHIFT 13

int ksmscope_lower_priority(void) {
    if (setpriority(PRIO_PROCESS, 0, 19) != 0) return -1;
    // Every thread: ioprio of the process applies to threads created afterwards too.
    if (syscall(SYS_ioprio_set, KSMSCOPE_IOPRIO_WHO_PROCESS, 0,
                KSMSCOPE_IOPRIO_CLASS_IDLE << KSMSCOPE_IOPRIO_CLASS_SHIFT) != 0)
        return -1;
    return 0;
}
