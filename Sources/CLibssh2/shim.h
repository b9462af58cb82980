#ifndef PCLOUD_CLIBSSH2_SHIM_H
#define PCLOUD_CLIBSSH2_SHIM_H
#include <libssh2.h>
#endif
