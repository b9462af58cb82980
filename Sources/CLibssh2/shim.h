#ifndef PCLOUD_CLIBSSH2_SHIM_H
#define PCLOUD_CLIBSSH2_SHIM_H
#include <libssh2.h>
/* The event loop that drives libssh2's non-blocking sessions (PCloudSSH) waits with epoll and is
   woken through an eventfd; Glibc's Swift module does not export these headers. */
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <sys/syscall.h>

/* The calling thread's kernel id (to show that one thread drives every session). */
static inline int pcloud_ssh_gettid(void) { return (int)syscall(SYS_gettid); }

/* Declared here rather than through _GNU_SOURCE, which would change how the system headers define
   fd_set and clash with Glibc's Swift module in any target that imports both. */
extern int pthread_setname_np(pthread_t thread, const char *name);

/* Names the calling thread (at most 15 characters), as seen in /proc/self/task/TID/comm. */
static inline void pcloud_ssh_name_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
#endif
