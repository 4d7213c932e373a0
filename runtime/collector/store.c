/* The collector's store engines: one table entry per engine (store.h). */
#include <string.h>
#include "runtime/collector/store.h"

extern const struct vnt_store_ops vnt_store_sqlite;
extern const struct vnt_store_ops vnt_store_clickhouse;

static const struct vnt_store_ops *const engines[] = {
	&vnt_store_sqlite, /* the first is the default */
	&vnt_store_clickhouse,
	NULL,
};

const struct vnt_store_ops *vnt_store_engine(const char *name)
{
	if (!name || !*name)
		return engines[0];
	for (int i = 0; engines[i]; i++)
		if (!strcmp(engines[i]->engine, name))
			return engines[i];
	return NULL;
}

const struct vnt_store_ops *vnt_store_for(const char *db)
{
	return vnt_store_engine(db && !strncmp(db, "clickhouse://", 13) ? "clickhouse" : NULL);
}
