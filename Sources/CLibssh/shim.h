#ifndef VMFILE_CLIBSSH_SHIM_H
#define VMFILE_CLIBSSH_SHIM_H
#include <libssh/libssh.h>
#include <libssh/callbacks.h>
#include <libssh/sftp.h>
#endif
