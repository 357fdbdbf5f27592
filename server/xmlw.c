/*
 * The XML writer of xmlw.h: a stack of open element names over a GString,
 * an escaper that also drops what XML 1.0 cannot carry, and the number and
 * date formatters.
 */
#include "xmlw.h"

#include <stdio.h>
#include <string.h>

#define INDENT "  "

void cpt_xmlw_init(cpt_xmlw *w)
{
	memset(w, 0, sizeof *w);
	w->buf = g_string_sized_new(16384);
	g_string_append(w->buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

/* Appends s escaped; quotes too when in_attr. */
static void append_escaped(GString *buf, const char *s, bool in_attr)
{
	g_autofree char *fixed = NULL;
	if (!g_utf8_validate(s, -1, NULL))
		s = fixed = g_utf8_make_valid(s, -1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			g_string_append(buf, "&amp;");
			break;
		case '<':
			g_string_append(buf, "&lt;");
			break;
		case '>':
			g_string_append(buf, "&gt;");
			break;
		case '"':
			g_string_append(buf, in_attr ? "&quot;" : "\"");
			break;
		case '\t':
		case '\n':
			/* An attribute value would be normalised to a space. */
			g_string_append(buf, in_attr ? " " : (*p == '\t' ? "\t" : "\n"));
			break;
		default:
			if (*p >= 0x20 && *p != 0x7f)
				g_string_append_c(buf, (char)*p);
			break; /* CR and other controls: not XML 1.0 text */
		}
	}
}

static void indent(cpt_xmlw *w)
{
	g_string_append_c(w->buf, '\n');
	for (size_t i = 0; i < w->depth; i++)
		g_string_append(w->buf, INDENT);
}

/* Ends a pending start tag before content goes in. */
static void end_start_tag(cpt_xmlw *w)
{
	if (w->in_start_tag) {
		g_string_append_c(w->buf, '>');
		w->in_start_tag = false;
	}
}

void cpt_xmlw_open(cpt_xmlw *w, const char *name)
{
	if (w->failed)
		return;
	if (w->depth == CPT_XMLW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	end_start_tag(w);
	if (w->depth > 0)
		indent(w);
	g_string_append_printf(w->buf, "<%s", name);
	w->open[w->depth++] = name;
	w->in_start_tag = true;
	w->has_children = false;
}

void cpt_xmlw_attr(cpt_xmlw *w, const char *name, const char *value)
{
	if (w->failed)
		return;
	if (!w->in_start_tag) {
		w->failed = true;
		return;
	}
	g_string_append_printf(w->buf, " %s=\"", name);
	append_escaped(w->buf, value ? value : "", true);
	g_string_append_c(w->buf, '"');
}

void cpt_xmlw_close(cpt_xmlw *w)
{
	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	const char *name = w->open[--w->depth];
	if (w->in_start_tag) {
		g_string_append(w->buf, "/>");
		w->in_start_tag = false;
	} else {
		if (w->has_children)
			indent(w);
		g_string_append_printf(w->buf, "</%s>", name);
	}
	/* The parent now holds an element. */
	w->has_children = true;
}

bool cpt_xmlw_blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!g_ascii_isspace(*s))
			return false;
	return true;
}

void cpt_xmlw_leaf_attr(cpt_xmlw *w, const char *name, const char *attr, const char *value,
			const char *text)
{
	if (w->failed || cpt_xmlw_blank(text))
		return;
	cpt_xmlw_open(w, name);
	if (attr && value && *value)
		cpt_xmlw_attr(w, attr, value);
	if (w->failed)
		return;
	end_start_tag(w);
	append_escaped(w->buf, text, false);
	w->has_children = false;
	cpt_xmlw_close(w);
}

void cpt_xmlw_leaf(cpt_xmlw *w, const char *name, const char *text)
{
	cpt_xmlw_leaf_attr(w, name, NULL, NULL, text);
}

GBytes *cpt_xmlw_finish(cpt_xmlw *w)
{
	if (!w->buf)
		return NULL;
	if (w->failed || w->depth != 0) {
		cpt_xmlw_clear(w);
		return NULL;
	}
	g_string_append_c(w->buf, '\n');
	GBytes *out = g_string_free_to_bytes(w->buf);
	w->buf = NULL;
	return out;
}

void cpt_xmlw_clear(cpt_xmlw *w)
{
	if (w->buf)
		g_string_free(w->buf, TRUE);
	memset(w, 0, sizeof *w);
}

/* ---- Numbers and dates ------------------------------------------------- */

bool cpt_xmlw_decimal(int64_t value, int scale, int min_decimals, char *buf, size_t size)
{
	if (size > 0)
		buf[0] = '\0';
	if (scale < 0 || scale > 18 || min_decimals < 0 || min_decimals > scale)
		return false;
	uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	uint64_t unit = 1;
	for (int i = 0; i < scale; i++)
		unit *= 10;
	uint64_t whole = mag / unit, frac = mag % unit;
	char digits[20] = "";
	int n = scale;
	if (scale > 0) {
		snprintf(digits, sizeof digits, "%0*llu", scale, (unsigned long long)frac);
		while (n > min_decimals && digits[n - 1] == '0')
			n--;
		digits[n] = '\0';
	}
	int len = snprintf(buf, size, "%s%llu%s%s", value < 0 ? "-" : "", (unsigned long long)whole,
			   n > 0 ? "." : "", digits);
	if (len < 0 || (size_t)len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return false;
	}
	return true;
}

bool cpt_xmlw_cents(int64_t cents, char *buf, size_t size)
{
	return cpt_xmlw_decimal(cents, 2, 2, buf, size);
}

bool cpt_xmlw_qty(int64_t qty3, char *buf, size_t size)
{
	return cpt_xmlw_decimal(qty3, 3, 0, buf, size);
}

bool cpt_xmlw_price(int64_t price4, char *buf, size_t size)
{
	return cpt_xmlw_decimal(price4, 4, 2, buf, size);
}

bool cpt_xmlw_rate(int64_t bp, char *buf, size_t size)
{
	return cpt_xmlw_decimal(bp, 2, 2, buf, size);
}

static bool date_format(cpt_date d, const char *fmt, char *buf, size_t size)
{
	if (size > 0)
		buf[0] = '\0';
	if (!cpt_date_valid(d))
		return false;
	int len = snprintf(buf, size, fmt, d.year, d.month, d.day);
	if (len < 0 || (size_t)len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return false;
	}
	return true;
}

bool cpt_xmlw_date_102(cpt_date d, char *buf, size_t size)
{
	return date_format(d, "%04d%02d%02d", buf, size);
}

bool cpt_xmlw_date_iso(cpt_date d, char *buf, size_t size)
{
	return date_format(d, "%04d-%02d-%02d", buf, size);
}
