#define _GNU_SOURCE
/* A tiny static probe for the sandbox tests: makes one syscall named on
 * the command line and prints "ok" or the errno's name. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *name_of(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    default: return strerror(e);
    }
}

int main(int argc, char **argv) {
    long r = -1;
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "keyctl")) {
        /* KEYCTL_GET_KEYRING_ID of the session keyring, created if needed. */
        r = syscall(SYS_keyctl, 0, -3, 1);
    } else if (!strcmp(argv[1], "reboot")) {
        /* LINUX_REBOOT_CMD_CAD_OFF: inside a pid namespace the kernel
         * answers EINVAL once the call is let through; it reboots nothing. */
        r = syscall(SYS_reboot, 0xfee1dead, 672274793, 0, 0);
    } else if (!strcmp(argv[1], "unshare")) {
        r = unshare(CLONE_NEWUTS);
    } else if (!strcmp(argv[1], "mount")) {
        r = mount("none", "/tmp", "tmpfs", 0, "");
    } else {
        return 2;
    }
    if (r < 0) {
        printf("%s\n", name_of(errno));
    } else {
        printf("ok\n");
    }
    return 0;
}
