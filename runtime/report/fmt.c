/* Formatting shared by the report's text and HTML outputs. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "runtime/output/flowname.h"
#include "runtime/report/report.h"

void vnt_report_fmt_ns(char *buf, size_t len, double ns)
{
	double a = ns < 0 ? -ns : ns;
	if (a < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (a < 1e6)
		snprintf(buf, len, "%.*fus", a < 1e4 ? 2 : a < 1e5 ? 1 : 0, ns / 1e3);
	else if (a < 1e9)
		snprintf(buf, len, "%.*fms", a < 1e7 ? 2 : a < 1e8 ? 1 : 0, ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
}

void vnt_report_fmt_flow(char *buf, size_t len, const struct vnt_report_flow *f)
{
	vnt_flow_name(buf, len, f->saddr, f->daddr, (unsigned)f->sport, (unsigned)f->dport, (unsigned)f->proto);
}

bool vnt_report_segment_shown(const struct vnt_report_segment *s)
{
	return !s->boundary || s->reached > 0;
}

void vnt_report_hop_label(char *buf, size_t len, const struct vnt_report *r, int hop)
{
	const struct vnt_report_hop *h = &r->hops[hop];
	bool several = r->nhops > 0 && r->hops[0].trace != r->hops[r->nhops - 1].trace;
	if (several)
		snprintf(buf, len, "%s.%s", h->trace_name ? h->trace_name : "?", h->name);
	else
		snprintf(buf, len, "%s", h->name);
}

void vnt_report_host_label(char *buf, size_t len, const struct vnt_report *r, int host)
{
	const struct vnt_report_host *h = &r->hosts[host];
	for (int i = 0; i < r->nhosts; i++)
		if (i != host && !strcmp(r->hosts[i].name, h->name)) {
			snprintf(buf, len, "%s#%lld", h->name, (long long)h->id);
			return;
		}
	snprintf(buf, len, "%s", h->name);
}

void vnt_report_fmt_time(char *buf, size_t len, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000);
	int ms = (int)(ns % 1000000000 / 1000000);
	struct tm tm;
	if (ns <= 0 || !gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	char d[32];
	strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03d UTC", d, ms);
}
