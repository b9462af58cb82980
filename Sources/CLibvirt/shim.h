#ifndef PCLOUD_CLIBVIRT_SHIM_H
#define PCLOUD_CLIBVIRT_SHIM_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif
