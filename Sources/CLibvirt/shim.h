#ifndef VMFILE_CLIBVIRT_SHIM_H
#define VMFILE_CLIBVIRT_SHIM_H
#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#endif
