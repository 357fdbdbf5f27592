/*
 * Strict CSV reading and writing (see csv.h). The reader checks the whole
 * input is UTF-8 once, then walks it in one pass: each field is copied,
 * unquoted, into one text buffer followed by a NUL, and its offset appended
 * to one array; a record is a row of ncols consecutive offsets. Offsets, not
 * pointers, because the buffer moves while it grows.
 */
#include "csv.h"

#include <stdio.h>
#include <string.h>

#define FIELD "csv"
#define UTF8_BOM "\xEF\xBB\xBF"
#define LONE_CR "retour chariot isolé (fin de ligne CRLF ou LF attendue)"

/* The messages below spell the limits out in French. */
G_STATIC_ASSERT(CPT_CSV_MAX_RECORDS == 1000000);
G_STATIC_ASSERT(CPT_CSV_MAX_CELL == 64 * 1024);

struct cpt_csv {
	char sep;
	size_t ncols;
	size_t nrows;  /* data records, header excluded */
	GString *text; /* every cell, NUL-terminated, back to back */
	GArray *cells; /* size_t offsets into text, header row first */
	GArray *lines; /* unsigned physical start line per record, header first */
	char **keys;   /* folded header names, for cpt_csv_column_find */
};

/* ==== Reading =========================================================== */

typedef struct parser {
	const char *p;
	const char *end; /* trailing empty lines already cut off */
	char sep;
	bool special[256]; /* bytes that end a bare field: sep, quote, CR, LF */
	unsigned line;	   /* physical line of p */
	cpt_csv *csv;
	unsigned *err_line;
	cpt_status *st;
} parser;

static int fail(parser *ps, unsigned line, const char *what)
{
	if (ps->err_line)
		*ps->err_line = line;
	return cpt_status_invalid(ps->st, FIELD, "ligne %u : %s", line, what);
}

static unsigned count_lf(const char *p, const char *end)
{
	unsigned n = 0;
	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

/* Reads one quoted field, p on its opening quote. */
static int parse_quoted(parser *ps)
{
	GString *text = ps->csv->text;
	unsigned opened = ps->line;

	ps->p++;
	for (;;) {
		const char *q = memchr(ps->p, '"', (size_t)(ps->end - ps->p));
		if (!q)
			return fail(ps, opened, "guillemets non fermés");
		ps->line += count_lf(ps->p, q);
		g_string_append_len(text, ps->p, q - ps->p);
		ps->p = q + 1;
		if (ps->p < ps->end && *ps->p == '"') {
			g_string_append_c(text, '"');
			ps->p++;
			continue;
		}
		break;
	}
	if (ps->p == ps->end || *ps->p == ps->sep || *ps->p == '\n')
		return CPT_OK;
	if (*ps->p != '\r')
		return fail(ps, ps->line, "caractère après un guillemet fermant");
	if (ps->p + 1 == ps->end || ps->p[1] != '\n')
		return fail(ps, ps->line, LONE_CR);
	return CPT_OK;
}

/* Reads one bare field. */
static int parse_bare(parser *ps)
{
	const char *q = ps->p;

	while (q < ps->end && !ps->special[(unsigned char)*q])
		q++;
	if (q < ps->end && *q == '"')
		return fail(ps, ps->line,
			    "guillemet dans un champ qui ne commence pas par un guillemet");
	if (q < ps->end && *q == '\r' && !(q + 1 < ps->end && q[1] == '\n'))
		return fail(ps, ps->line, LONE_CR);
	g_string_append_len(ps->csv->text, ps->p, q - ps->p);
	ps->p = q;
	return CPT_OK;
}

static int parse_field(parser *ps)
{
	GString *text = ps->csv->text;
	size_t start = text->len;
	int rc = ps->p < ps->end && *ps->p == '"' ? parse_quoted(ps) : parse_bare(ps);

	if (rc != CPT_OK)
		return rc;
	if (text->len - start > CPT_CSV_MAX_CELL)
		return fail(ps, ps->line, "cellule de plus de 64 Kio (limite)");
	g_string_append_c(text, '\0');
	g_array_append_val(ps->csv->cells, start);
	return CPT_OK;
}

/* Reads one record and its line end; *n gets its field count. */
static int parse_record(parser *ps, size_t *n)
{
	unsigned first = ps->line;
	int rc;

	g_array_append_val(ps->csv->lines, first);
	*n = 0;
	for (;;) {
		if ((rc = parse_field(ps)) != CPT_OK)
			return rc;
		++*n;
		if (ps->p == ps->end)
			return CPT_OK;
		if (*ps->p == ps->sep) {
			ps->p++;
			continue;
		}
		ps->p += *ps->p == '\r' ? 2 : 1; /* CRLF or LF, checked above */
		ps->line++;
		return CPT_OK;
	}
}

/* ';' if the header line holds one outside quotes, else ',', else tab. */
static char detect_separator(const char *p, const char *end)
{
	bool quoted = false, semicolon = false, comma = false, tab = false;

	for (; p < end && (quoted || *p != '\n'); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted) {
			semicolon |= *p == ';';
			comma |= *p == ',';
			tab |= *p == '\t';
		}
	}
	return semicolon ? ';' : comma ? ',' : tab ? '\t' : ';';
}

/* Lower-case, accents and compatibility forms dropped, inner spaces reduced
 * to one, outer ones removed: the key column names are compared on. */
static char *fold_name(const char *name)
{
	g_autofree char *lower = g_utf8_casefold(name, -1);
	g_autofree char *nfkd = g_utf8_normalize(lower, -1, G_NORMALIZE_NFKD);
	GString *key = g_string_new(NULL);
	bool space = false;

	for (const char *q = nfkd ? nfkd : ""; *q; q = g_utf8_next_char(q)) {
		gunichar c = g_utf8_get_char(q);
		if (g_unichar_ismark(c))
			continue;
		if (g_unichar_isspace(c)) {
			space = key->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(key, ' ');
		space = false;
		g_string_append_unichar(key, c);
	}
	return g_string_free(key, FALSE);
}

static int check_utf8(parser *ps, const char *data, size_t len)
{
	const char *bad;

	if (g_utf8_validate_len(data, len, &bad))
		return CPT_OK;
	return fail(ps, 1 + count_lf(data, bad),
		    *bad ? "encodage invalide (UTF-8 attendu)" : "caractère nul (octet 0)");
}

int cpt_csv_parse(const char *data, size_t len, char sep, cpt_csv **out, unsigned *err_line,
		  cpt_status *st)
{
	parser ps = {.line = 1, .err_line = err_line, .st = st};
	cpt_csv *csv = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if (len == 0)
		data = ""; /* NULL allowed then, and no arithmetic on it */
	if (err_line)
		*err_line = 0;
	if (sep == '"' || sep == '\r' || sep == '\n' || (unsigned char)sep >= 0x80)
		return cpt_status_invalid(st, "sep", "séparateur invalide");
	if (len >= 3 && memcmp(data, UTF8_BOM, 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((rc = check_utf8(&ps, data, len)) != CPT_OK)
		return rc;

	ps.p = data;
	ps.end = data + len;
	while (ps.end > ps.p && ps.end[-1] == '\n') {
		ps.end--;
		if (ps.end > ps.p && ps.end[-1] == '\r')
			ps.end--;
	}
	if (ps.p == ps.end)
		return fail(&ps, 1, "fichier vide (ligne d'en-tête attendue)");
	ps.sep = sep ? sep : detect_separator(ps.p, ps.end);
	ps.special[(unsigned char)ps.sep] = ps.special['"'] = true;
	ps.special['\r'] = ps.special['\n'] = true;

	csv = g_new0(cpt_csv, 1);
	csv->sep = ps.sep;
	csv->text = g_string_sized_new(len + len / 8 + 16);
	csv->cells = g_array_new(FALSE, FALSE, sizeof(size_t));
	csv->lines = g_array_new(FALSE, FALSE, sizeof(unsigned));
	ps.csv = csv;

	if ((rc = parse_record(&ps, &csv->ncols)) != CPT_OK)
		goto done;
	while (ps.p < ps.end) {
		if (csv->nrows == CPT_CSV_MAX_RECORDS) {
			rc = fail(&ps, ps.line, "plus de 1 000 000 lignes de données (limite)");
			goto done;
		}
		unsigned first = ps.line;
		if ((rc = parse_record(&ps, &n)) != CPT_OK)
			goto done;
		if (n != csv->ncols) {
			char what[96];
			snprintf(what, sizeof what, "%zu colonne%s au lieu de %zu", n,
				 n > 1 ? "s" : "", csv->ncols);
			rc = fail(&ps, first, what);
			goto done;
		}
		csv->nrows++;
	}
	csv->keys = g_new0(char *, csv->ncols + 1);
	for (size_t i = 0; i < csv->ncols; i++)
		csv->keys[i] = fold_name(cpt_csv_header(csv, i));
	rc = cpt_status_reset(st);
done:
	if (rc == CPT_OK)
		*out = csv;
	else
		cpt_csv_free(csv);
	return rc;
}

void cpt_csv_free(cpt_csv *csv)
{
	if (!csv)
		return;
	g_string_free(csv->text, TRUE);
	g_array_unref(csv->cells);
	g_array_unref(csv->lines);
	g_strfreev(csv->keys);
	g_free(csv);
}

char cpt_csv_separator(const cpt_csv *csv)
{
	return csv->sep;
}

size_t cpt_csv_rows(const cpt_csv *csv)
{
	return csv->nrows;
}

size_t cpt_csv_columns(const cpt_csv *csv)
{
	return csv->ncols;
}

/* Record 0 is the header. */
static const char *cell_at(const cpt_csv *csv, size_t record, size_t col)
{
	if (col >= csv->ncols || record > csv->nrows)
		return NULL;
	return csv->text->str + g_array_index(csv->cells, size_t, record * csv->ncols + col);
}

const char *cpt_csv_header(const cpt_csv *csv, size_t col)
{
	return cell_at(csv, 0, col);
}

const char *cpt_csv_cell(const cpt_csv *csv, size_t row, size_t col)
{
	return row < csv->nrows ? cell_at(csv, row + 1, col) : NULL;
}

unsigned cpt_csv_row_line(const cpt_csv *csv, size_t row)
{
	return row < csv->nrows ? g_array_index(csv->lines, unsigned, row + 1) : 0;
}

bool cpt_csv_column_find(const cpt_csv *csv, const char *name, size_t *col)
{
	g_autofree char *key = NULL;

	if (!g_utf8_validate(name, -1, NULL))
		return false;
	key = fold_name(name);
	for (size_t i = 0; i < csv->ncols; i++) {
		if (strcmp(csv->keys[i], key) == 0) {
			if (col)
				*col = i;
			return true;
		}
	}
	return false;
}

/* ==== Writing =========================================================== */

void cpt_csv_write_bom(GString *out)
{
	g_string_append(out, UTF8_BOM);
}

/* Byte length of a space that may group digits at p (ASCII, U+00A0,
 * U+202F), or 0. */
static size_t group_space_len(const char *p)
{
	if (*p == ' ')
		return 1;
	if (strncmp(p, "\xC2\xA0", 2) == 0)
		return 2;
	if (strncmp(p, "\xE2\x80\xAF", 3) == 0)
		return 3;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [+-] digits (grouped or not) [,. digits] [space] [% or €], nothing more. */
static bool plain_number(const char *p)
{
	size_t sp;

	if (*p == '+' || *p == '-')
		p++;
	if (!is_digit(*p))
		return false;
	for (;;) {
		while (is_digit(*p))
			p++;
		if ((sp = group_space_len(p)) && is_digit(p[sp]))
			p += sp;
		else
			break;
	}
	if ((*p == ',' || *p == '.') && is_digit(p[1])) {
		p++;
		while (is_digit(*p))
			p++;
	}
	p += group_space_len(p);
	if (*p == '%')
		p++;
	else if (strncmp(p, "\xE2\x82\xAC", 3) == 0)
		p += 3;
	return *p == '\0';
}

bool cpt_csv_formula_risk(const char *text)
{
	switch (text[0]) {
	case '=':
	case '@':
	case '\t':
	case '\r':
		return true;
	case '+':
	case '-':
		return !plain_number(text);
	default:
		return false;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void write_cell(GString *out, const char *text, char sep, bool alone)
{
	size_t len = strlen(text);
	bool guard = cpt_csv_formula_risk(text);
	/* A leading U+FEFF would read back as the file's BOM, and vanish. */
	bool quote = (alone && len == 0) || strncmp(text, UTF8_BOM, 3) == 0;

	if (len > 0 && ((is_blank(text[0]) && !guard) || is_blank(text[len - 1])))
		quote = true;
	for (const char *p = text; *p && !quote; p++)
		quote = *p == sep || *p == '"' || *p == '\r' || *p == '\n';
	if (quote)
		g_string_append_c(out, '"');
	if (guard)
		g_string_append_c(out, '\'');
	if (!quote) {
		g_string_append_len(out, text, len);
		return;
	}
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

void cpt_csv_write_record(GString *out, const char *const *cells, size_t n, char sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(out, sep);
		write_cell(out, cells[i] ? cells[i] : "", sep, n == 1);
	}
	g_string_append(out, "\r\n");
}
