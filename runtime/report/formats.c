/* The report formats (format.h), the default first. One line per format. */
#include "runtime/report/format.h"

extern const struct vnt_report_format vnt_report_format_text, vnt_report_format_json, vnt_report_format_html;

const struct vnt_report_format *const vnt_report_formats[] = {
	&vnt_report_format_text,
	&vnt_report_format_json,
	&vnt_report_format_html,
	NULL,
};
