#ifndef VNT_CMDS_H
#define VNT_CMDS_H
#include "config.h"

struct vnt_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_lib(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_dispatch(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_fmt(int argc, char **argv);

#endif
