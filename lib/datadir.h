/* The directory holding bpf-templates/ and stdlib/: $VNT_DATADIR, else
 * the source tree when running from it (the binary at its top), else the
 * installed package data (VNT_PKGDATADIR). */
#ifndef VNT_DATADIR_H
#define VNT_DATADIR_H

const char *vnt_datadir(void);

#endif
