/*
 * The incident report: everything a case holds, for people, as one
 * self-contained HTML file or GitHub-flavoured Markdown (irt-report(1)).
 */
#ifndef IRT_REPORT_H
#define IRT_REPORT_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "case.h"
#include "timefmt.h"
#include "timeline.h"

enum irt_report_format {
	IRT_REPORT_HTML,
	IRT_REPORT_MD,
};

/* Bins of the activity chart when none are asked for. */
#define IRT_REPORT_BINS 48

struct irt_report_opts {
	enum irt_report_format format;
	/* Leaves out IOC values, host addresses and notes tagged
	 * internal, and says so. */
	bool redact;
	/*
	 * The timelines the activity chart counts, as irt timeline takes
	 * sources ([KIND:]PATH), each optionally HOST=SOURCE; none: the
	 * case's evidence archives.  no_chart leaves the chart out.
	 */
	const char *const *timelines;
	size_t ntimelines;
	bool no_chart;
	unsigned bins; /* 0: IRT_REPORT_BINS */
	irt_ns now;    /* the report's date; 0: now */
	/* What could not be read (a corrupt source, a record), one
	 * escaped line each; the report goes on without it. */
	irt_tl_warn_fn warn;
	void *arg;
	volatile int *cancel;
};

/* What a report held, for the caller's summary line. */
struct irt_report_stats {
	size_t hosts, events, notes, iocs, evidence, hits, checklists;
	uint64_t timeline_events;
	size_t bins;     /* chart elements drawn */
	size_t problems; /* of irt case verify */
};

/* Writes the report of the case into out. */
IRT_EXTERN int irt_report_make(struct irt_buf *out, struct irt_case *c,
    const struct irt_report_opts *o, struct irt_report_stats *st);

#endif
