/* cpt_status helpers. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cpt_status_set(cpt_status *st, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	st->code = code;
	snprintf(st->field, sizeof st->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof st->message, fmt, ap);
	va_end(ap);
	return code;
}

int cpt_status_invalid(cpt_status *st, const char *field, const char *fmt, ...)
{
	if (!st) {
		return CPT_INVALID_ARGUMENT;
	}
	va_list ap;
	st->code = CPT_INVALID_ARGUMENT;
	snprintf(st->field, sizeof st->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof st->message, fmt, ap);
	va_end(ap);
	return CPT_INVALID_ARGUMENT;
}

int cpt_status_reset(cpt_status *st)
{
	if (st) {
		*st = CPT_STATUS_OK;
	}
	return CPT_OK;
}

const char *cpt_code_name(int code)
{
	switch (code) {
	case CPT_OK:
		return "OK";
	case CPT_CANCELLED:
		return "CANCELLED";
	case CPT_INVALID_ARGUMENT:
		return "INVALID_ARGUMENT";
	case CPT_NOT_FOUND:
		return "NOT_FOUND";
	case CPT_ALREADY_EXISTS:
		return "ALREADY_EXISTS";
	case CPT_PERMISSION_DENIED:
		return "PERMISSION_DENIED";
	case CPT_RESOURCE_EXHAUSTED:
		return "RESOURCE_EXHAUSTED";
	case CPT_FAILED_PRECONDITION:
		return "FAILED_PRECONDITION";
	case CPT_ABORTED:
		return "ABORTED";
	case CPT_UNIMPLEMENTED:
		return "UNIMPLEMENTED";
	case CPT_INTERNAL:
		return "INTERNAL";
	case CPT_UNAVAILABLE:
		return "UNAVAILABLE";
	case CPT_DATA_LOSS:
		return "DATA_LOSS";
	case CPT_UNAUTHENTICATED:
		return "UNAUTHENTICATED";
	default:
		return "UNKNOWN";
	}
}
