/*
 * report.h - what a finished exchange leaves behind: its access log line
 * and its request and BBB-call metrics. Transport-neutral: the transport
 * hands in what only it knows (duration, bytes sent).
 */
#ifndef GW_REPORT_H
#define GW_REPORT_H

struct gw_exchange;
struct gw_metrics;

/* Counts the BBB call of x that just completed. m may be NULL (not counted). */
void gw_report_upstream(const struct gw_exchange *x, struct gw_metrics *m);

/*
 * Counts the ended request x (route, method, status, duration) in m (may be
 * NULL) and writes its access line when x's config asks for access logs.
 */
void gw_report_request(const struct gw_exchange *x, struct gw_metrics *m, double duration_ms,
		       unsigned long long bytes_out);

#endif
