#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <json-c/json.h>
#include "bpf-templates/vnt_abi.h"
#include "runtime/output/events_jsonl.h"


int vnt_events_write(void *ctx, void *data, size_t size)
{
	struct vnt_events_out *o = ctx;
	struct vnt_event r;
	if (size < sizeof(r)) {
		o->malformed++;
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	const struct vnt_plan *p = o->plan;
	json_object *j = json_object_new_object();
	json_object_object_add(j, "ts_ns", json_object_new_int64((int64_t)r.ts));
	json_object_object_add(j, "hop", r.hop < (uint32_t)p->nhops ? json_object_new_string(p->hops[r.hop].name) : NULL);
	json_object_object_add(j, "trace", r.hop < (uint32_t)p->nhops ?
			       json_object_new_string(p->traces[p->hops[r.hop].trace].name) : NULL);
	char fp[24];
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)r.fp);
	json_object_object_add(j, "fp", json_object_new_string(fp));
	json_object_object_add(j, "len", json_object_new_int64(r.len));
	json_object_object_add(j, "ifindex", json_object_new_int64(r.ifindex));
	json_object_object_add(j, "netns", json_object_new_int64(r.netns));
	json_object_object_add(j, "cpu", json_object_new_int64(r.cpu));
	json_object_object_add(j, "pid", json_object_new_int64(r.pid));
	if (r.flow.family == 4 || r.flow.family == 6) {
		char a[64], b[64];
		int af = r.flow.family == 6 ? AF_INET6 : AF_INET;
		inet_ntop(af, r.flow.saddr, a, sizeof(a));
		inet_ntop(af, r.flow.daddr, b, sizeof(b));
		json_object_object_add(j, "saddr", json_object_new_string(a));
		json_object_object_add(j, "daddr", json_object_new_string(b));
		json_object_object_add(j, "sport", json_object_new_int(r.flow.sport));
		json_object_object_add(j, "dport", json_object_new_int(r.flow.dport));
		json_object_object_add(j, "proto", json_object_new_int(r.flow.proto));
	}
	fprintf(o->f, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	o->written++;
	return 0;
}
