#ifndef PCLOUD_CLIBSSH2_SHIM_H
#define PCLOUD_CLIBSSH2_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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

/* Names the calling thread (at most 15 characters), as seen in /proc/self/task/TID/comm. */
static inline void pcloud_ssh_name_thread(const char *name) { pthread_setname_np(pthread_self(), name); }
#endif
