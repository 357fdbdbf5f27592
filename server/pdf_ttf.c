/*
 * The TrueType fonts the PDFs embed: each file read and parsed once per
 * process, and the subsets written into each document.
 *
 * A font is loaded the first time a render asks for it, under a lock, and
 * kept until the process ends; after that it is only read, so renders on
 * any number of threads share it without locking. What the layout needs is
 * precomputed: the glyph of every BMP code point (from the Windows Unicode
 * cmap, format 4) and every glyph's advance in 1/1000 em, truncated as
 * libharu did, so that measuring a string is two array reads a character.
 *
 * A subset keeps glyph 0 (.notdef), the glyphs asked for and the components
 * of composite glyphs, renumbered in their original order; hinting tables
 * (cvt, fpgm, prep, gasp), OS/2 and name (copyright and licence) are copied,
 * hmtx, loca, glyf and a format 4 cmap are rebuilt, post becomes version 3
 * (no glyph names). GPOS, GSUB and kern are left out: the PDF positions
 * every glyph itself. The tables that are the same in every subset are
 * compressed once, when the font is loaded. The bytes depend only on the
 * characters asked for.
 */
#include "pdf_private.h"

#include <string.h>

/* The tables a subset may hold, in the order of their tags (the directory
 * is sorted). */
enum {
	T_OS2,
	T_CMAP,
	T_CVT,
	T_FPGM,
	T_GASP,
	T_GLYF,
	T_HEAD,
	T_HHEA,
	T_HMTX,
	T_LOCA,
	T_MAXP,
	T_NAME,
	T_POST,
	T_PREP,
	N_TABLES
};
static const char tags[N_TABLES][5] = {"OS/2", "cmap", "cvt ", "fpgm", "gasp", "glyf", "head",
				       "hhea", "hmtx", "loca", "maxp", "name", "post", "prep"};
/* Copied as they are when the font has them. */
static const bool copied[N_TABLES] = {
    [T_OS2] = true,  [T_CVT] = true,  [T_FPGM] = true,
    [T_GASP] = true, [T_NAME] = true, [T_PREP] = true,
};

#define HEAD_LEN 54
#define HHEA_LEN 36
#define MAXP_MIN_LEN 6
#define POST_MIN_LEN 16

typedef struct table {
	const guint8 *data; /* NULL when the font has none */
	uint32_t len;
} table;

struct cpt_ttf {
	GBytes *file;
	table t[N_TABLES];
	uint16_t upem, n_glyphs, n_hmetrics;
	bool long_loca;
	uint16_t gid[CPT_TTF_CODE_POINTS]; /* BMP code point -> glyph, 0 when absent */
	unsigned *width;		   /* per glyph, 1/1000 em */
	cpt_ttf_metrics metrics;
	/* The tables every subset has the same (copied ones and post 3.0),
	 * one after the other, each padded to 4 bytes; and compressed. */
	GByteArray *fixed;
	GBytes *fixed_deflated;
	uint32_t fixed_at[N_TABLES], fixed_len[N_TABLES]; /* len 0: not there */
	uint32_t fixed_sum[N_TABLES];			  /* table checksums */
};

static inline uint16_t u16(const guint8 *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline int16_t s16(const guint8 *p)
{
	return (int16_t)u16(p);
}

static inline uint32_t u32(const guint8 *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(guint8 *p, uint16_t v)
{
	p[0] = (guint8)(v >> 8);
	p[1] = (guint8)v;
}

static inline void put32(guint8 *p, uint32_t v)
{
	p[0] = (guint8)(v >> 24);
	p[1] = (guint8)(v >> 16);
	p[2] = (guint8)(v >> 8);
	p[3] = (guint8)v;
}

static void append16(GByteArray *b, uint16_t v)
{
	guint8 o[2];
	put16(o, v);
	g_byte_array_append(b, o, 2);
}

static void append32(GByteArray *b, uint32_t v)
{
	guint8 o[4];
	put32(o, v);
	g_byte_array_append(b, o, 4);
}

/* The sum of the big-endian 32-bit words, the last one padded with zeros. */
static uint32_t checksum(const guint8 *p, uint32_t len)
{
	uint32_t sum = 0, i = 0;

	for (; i + 4 <= len; i += 4)
		sum += u32(p + i);
	if (i < len) {
		guint8 w[4] = {0};
		memcpy(w, p + i, len - i);
		sum += u32(w);
	}
	return sum;
}

static void pad4(GByteArray *b)
{
	static const guint8 zero[4];
	if (b->len % 4)
		g_byte_array_append(b, zero, 4 - b->len % 4);
}

/* Font units to 1/1000 em, truncated toward zero like libharu. */
static int per_mille(const cpt_ttf *f, int v)
{
	return v * 1000 / f->upem;
}

/* ==== Loading ============================================================= */

/* Where glyph g's outline lies in glyf; false if loca points outside it. */
static bool glyph_span(const cpt_ttf *f, uint16_t g, uint32_t *off, uint32_t *len)
{
	const guint8 *loca = f->t[T_LOCA].data;
	uint32_t a = f->long_loca ? u32(loca + 4 * g) : 2u * u16(loca + 2 * g);
	uint32_t b = f->long_loca ? u32(loca + 4 * (g + 1)) : 2u * u16(loca + 2 * (g + 1));

	if (a > b || b > f->t[T_GLYF].len)
		return false;
	*off = a;
	*len = b - a;
	return true;
}

static bool parse_directory(cpt_ttf *f, const guint8 *d, gsize size)
{
	if (size < 12)
		return false;
	uint16_t n = u16(d + 4);
	if (size < 12 + 16 * (gsize)n)
		return false;
	for (uint16_t i = 0; i < n; i++) {
		const guint8 *e = d + 12 + 16 * i;
		uint32_t off = u32(e + 8), len = u32(e + 12);

		if (off > size || len > size - off)
			return false;
		for (int k = 0; k < N_TABLES; k++)
			if (memcmp(e, tags[k], 4) == 0)
				f->t[k] = (table){d + off, len};
	}
	return true;
}

/* The Windows Unicode BMP cmap (3,1), else the Unicode BMP one (0,3). */
static const guint8 *find_cmap(const cpt_ttf *f, uint32_t *avail)
{
	const table *c = &f->t[T_CMAP];
	const guint8 *best = NULL;

	if (c->len < 4)
		return NULL;
	uint16_t n = u16(c->data + 2);
	for (uint16_t i = 0; i < n && 4 + 8 * (uint32_t)(i + 1) <= c->len; i++) {
		const guint8 *e = c->data + 4 + 8 * i;
		uint16_t platform = u16(e), encoding = u16(e + 2);
		uint32_t off = u32(e + 4);

		if (off > c->len - 4 || u16(c->data + off) != 4)
			continue;
		if ((platform == 3 && encoding == 1) || (platform == 0 && encoding == 3 && !best)) {
			best = c->data + off;
			*avail = c->len - off;
		}
	}
	return best;
}

static bool parse_cmap(cpt_ttf *f)
{
	uint32_t avail = 0;
	const guint8 *s = find_cmap(f, &avail);

	if (!s || avail < 14)
		return false;
	uint32_t seg = u16(s + 6) / 2u;
	const guint8 *end = s + 14, *start = end + 2 * seg + 2, *delta = start + 2 * seg,
		     *range = delta + 2 * seg;
	if (14 + 8 * seg + 2 > avail)
		return false;
	for (uint32_t i = 0; i < seg; i++) {
		uint32_t lo = u16(start + 2 * i), hi = u16(end + 2 * i);
		uint16_t d = u16(delta + 2 * i), ro = u16(range + 2 * i);

		for (uint32_t c = lo; c <= hi && c < 0xFFFF; c++) {
			uint32_t g;
			if (ro == 0) {
				g = (c + d) & 0xFFFF;
			} else {
				/* idRangeOffset counts from its own place in the table. */
				uint32_t at = (uint32_t)(range + 2 * i - s) + ro + 2 * (c - lo);
				if (at + 2 > avail)
					return false;
				g = u16(s + at);
				if (g)
					g = (g + d) & 0xFFFF;
			}
			f->gid[c] = g < f->n_glyphs ? (uint16_t)g : 0;
		}
	}
	return true;
}

/* The top of a letter's outline, 1/1000 em: cap and x heights (OS/2
 * version 1 has neither). */
static int glyph_top(const cpt_ttf *f, gunichar c)
{
	uint32_t off, len;

	if (!glyph_span(f, f->gid[c], &off, &len) || len < 10)
		return 0;
	return per_mille(f, s16(f->t[T_GLYF].data + off + 8));
}

static void set_metrics(cpt_ttf *f)
{
	const guint8 *head = f->t[T_HEAD].data, *hhea = f->t[T_HHEA].data;
	const table *os2 = &f->t[T_OS2], *post = &f->t[T_POST];
	cpt_ttf_metrics *m = &f->metrics;
	uint16_t weight = os2->len >= 6 ? u16(os2->data + 4) : 400;

	m->ascent = per_mille(f, s16(hhea + 4));
	m->descent = per_mille(f, s16(hhea + 6));
	for (int i = 0; i < 4; i++)
		m->bbox[i] = per_mille(f, s16(head + 36 + 2 * i));
	m->cap_height = glyph_top(f, 'H');
	m->x_height = glyph_top(f, 'x');
	/* post.italicAngle is 16.16 fixed point. */
	m->italic_angle = post->len >= POST_MIN_LEN ? (int)(int32_t)u32(post->data + 4) / 65536 : 0;
	m->fixed_pitch = post->len >= POST_MIN_LEN && u32(post->data + 12) != 0;
	/* The usual guess from the weight class: 87 for 400, 165 for 700. */
	m->stem_v = (int)(50 + (weight / 65.0) * (weight / 65.0));
	m->missing_width = (int)f->width[0];
}

/* post 3.0: the italic angle, underline and pitch kept, no glyph names. */
static void post_v3(const cpt_ttf *f, guint8 out[32])
{
	memset(out, 0, 32);
	put32(out, 0x00030000);
	if (f->t[T_POST].len >= POST_MIN_LEN)
		memcpy(out + 4, f->t[T_POST].data + 4, 12);
}

static void build_fixed(cpt_ttf *f)
{
	guint8 post[32];

	f->fixed = g_byte_array_new();
	for (int k = 0; k < N_TABLES; k++) {
		const guint8 *data = f->t[k].data;
		uint32_t len = f->t[k].len;

		if (k == T_POST) {
			post_v3(f, post);
			data = post;
			len = sizeof post;
		} else if (!copied[k] || !data || len == 0) {
			continue;
		}
		f->fixed_at[k] = f->fixed->len;
		f->fixed_len[k] = len;
		f->fixed_sum[k] = checksum(data, len);
		g_byte_array_append(f->fixed, data, len);
		pad4(f->fixed);
	}
	f->fixed_deflated = cpt_pdf_deflate_part(f->fixed->data, f->fixed->len);
}

static bool parse(cpt_ttf *f)
{
	const guint8 *d;
	gsize size;

	d = g_bytes_get_data(f->file, &size);
	if (!parse_directory(f, d, size))
		return false;
	static const int needed[] = {T_CMAP, T_GLYF, T_HEAD, T_HHEA, T_HMTX, T_LOCA, T_MAXP};
	for (size_t i = 0; i < G_N_ELEMENTS(needed); i++)
		if (!f->t[needed[i]].data)
			return false;
	if (f->t[T_HEAD].len < HEAD_LEN || f->t[T_HHEA].len < HHEA_LEN ||
	    f->t[T_MAXP].len < MAXP_MIN_LEN)
		return false;

	f->upem = u16(f->t[T_HEAD].data + 18);
	f->long_loca = s16(f->t[T_HEAD].data + 50) == 1;
	f->n_glyphs = u16(f->t[T_MAXP].data + 4);
	f->n_hmetrics = u16(f->t[T_HHEA].data + 34);
	if (f->upem == 0 || f->n_glyphs == 0 || f->n_hmetrics == 0 || f->n_hmetrics > f->n_glyphs)
		return false;
	if (f->t[T_LOCA].len < (uint32_t)(f->n_glyphs + 1) * (f->long_loca ? 4 : 2))
		return false;
	if (f->t[T_HMTX].len < 4u * f->n_hmetrics + 2u * (f->n_glyphs - f->n_hmetrics))
		return false;

	f->width = g_new(unsigned, f->n_glyphs);
	for (uint32_t g = 0; g < f->n_glyphs; g++) {
		uint32_t h = g < f->n_hmetrics ? g : f->n_hmetrics - 1u;
		f->width[g] = (unsigned)u16(f->t[T_HMTX].data + 4 * h) * 1000 / f->upem;
	}
	if (!parse_cmap(f))
		return false;
	set_metrics(f);
	build_fixed(f);
	return true;
}

static void ttf_free(cpt_ttf *f)
{
	if (!f)
		return;
	g_bytes_unref(f->file);
	g_free(f->width);
	if (f->fixed)
		g_byte_array_unref(f->fixed);
	if (f->fixed_deflated)
		g_bytes_unref(f->fixed_deflated);
	g_free(f);
}

static cpt_ttf *load(const char *path, cpt_status *st)
{
	char *data = NULL;
	gsize size = 0;

	if (!g_file_get_contents(path, &data, &size, NULL)) {
		cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL,
			       "Police introuvable : %s (paquet fonts-dejavu-core)", path);
		return NULL;
	}
	cpt_ttf *f = g_new0(cpt_ttf, 1);
	f->file = g_bytes_new_take(data, size);
	if (!parse(f)) {
		ttf_free(f);
		cpt_status_set(st, CPT_FAILED_PRECONDITION, NULL, "Police illisible : %s", path);
		return NULL;
	}
	return f;
}

/* The fonts loaded so far, by path; never freed. */
static GMutex loaded_lock;
static GHashTable *loaded;

const cpt_ttf *cpt_ttf_get(const char *path, cpt_status *st)
{
	cpt_ttf *f;

	g_mutex_lock(&loaded_lock);
	if (!loaded)
		loaded = g_hash_table_new(g_str_hash, g_str_equal);
	f = g_hash_table_lookup(loaded, path);
	if (!f) {
		f = load(path, st);
		if (f)
			g_hash_table_insert(loaded, g_strdup(path), f);
	}
	g_mutex_unlock(&loaded_lock);
	return f;
}

const cpt_ttf_metrics *cpt_ttf_get_metrics(const cpt_ttf *f)
{
	return &f->metrics;
}

uint16_t cpt_ttf_glyph(const cpt_ttf *f, gunichar c)
{
	return c < CPT_TTF_CODE_POINTS ? f->gid[c] : 0;
}

unsigned cpt_ttf_width(const cpt_ttf *f, uint16_t glyph)
{
	return glyph < f->n_glyphs ? f->width[glyph] : f->width[0];
}

unsigned cpt_ttf_advance(const cpt_ttf *f, const char *s, size_t len)
{
	const char *end = s + len;
	unsigned w = 0;

	while (s < end) {
		gunichar c = g_utf8_get_char(s);
		w += f->width[c < CPT_TTF_CODE_POINTS ? f->gid[c] : 0];
		s = g_utf8_next_char(s);
	}
	return w;
}

uint16_t cpt_ttf_glyph_count(const cpt_ttf *f)
{
	return f->n_glyphs;
}

/* ==== Subsets ============================================================= */

#define ARG_1_AND_2_ARE_WORDS 0x0001
#define WE_HAVE_A_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define WE_HAVE_AN_X_AND_Y_SCALE 0x0040
#define WE_HAVE_A_TWO_BY_TWO 0x0080
#define MAX_COMPONENTS 64

/* Offsets (from the glyph's start) of the glyph indices of a composite
 * glyph's components: their count, 0 for a simple glyph or a malformed
 * one. */
static int components(const guint8 *g, uint32_t len, uint32_t at[MAX_COMPONENTS])
{
	uint32_t pos = 10;
	int n = 0;
	uint16_t flags;

	if (len < 10 || s16(g) >= 0)
		return 0;
	do {
		if (pos + 4 > len || n == MAX_COMPONENTS)
			return 0;
		flags = u16(g + pos);
		at[n++] = pos + 2;
		pos += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
		if (flags & WE_HAVE_A_SCALE)
			pos += 2;
		else if (flags & WE_HAVE_AN_X_AND_Y_SCALE)
			pos += 4;
		else if (flags & WE_HAVE_A_TWO_BY_TWO)
			pos += 8;
	} while (flags & MORE_COMPONENTS);
	return pos <= len ? n : 0;
}

/* Adds the components of every kept composite glyph, until none is new. */
static void close_composites(const cpt_ttf *f, guint8 *keep)
{
	bool more = true;
	uint32_t at[MAX_COMPONENTS];

	while (more) {
		more = false;
		for (uint32_t g = 0; g < f->n_glyphs; g++) {
			uint32_t off, len;
			if (!keep[g] || !glyph_span(f, (uint16_t)g, &off, &len))
				continue;
			const guint8 *data = f->t[T_GLYF].data + off;
			int n = components(data, len, at);
			for (int i = 0; i < n; i++) {
				uint16_t c = u16(data + at[i]);
				if (c < f->n_glyphs && !keep[c]) {
					keep[c] = 1;
					more = true;
				}
			}
		}
	}
}

/* Format 4 for the kept code points: one segment per run of consecutive
 * code points with consecutive glyphs, then the closing 0xFFFF segment. */
static GByteArray *build_cmap(const cpt_ttf *f, const gunichar *chars, size_t n_chars,
			      const uint16_t *renumber)
{
	GArray *lo = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	GArray *hi = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	GArray *delta = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	GByteArray *b = g_byte_array_new();

	for (size_t i = 0; i < n_chars; i++) {
		gunichar c = chars[i];
		if (c >= 0xFFFF || !f->gid[c])
			continue;
		uint16_t g = renumber[f->gid[c]], d = (uint16_t)(g - c);
		guint n = lo->len;
		if (n && g_array_index(hi, uint16_t, n - 1) == c - 1 &&
		    g_array_index(delta, uint16_t, n - 1) == d) {
			g_array_index(hi, uint16_t, n - 1) = (uint16_t)c;
			continue;
		}
		uint16_t cc = (uint16_t)c;
		g_array_append_val(lo, cc);
		g_array_append_val(hi, cc);
		g_array_append_val(delta, d);
	}
	uint16_t last = 0xFFFF, one = 1;
	g_array_append_val(lo, last);
	g_array_append_val(hi, last);
	g_array_append_val(delta, one);

	uint32_t seg = lo->len, length = 16 + 8 * seg;
	uint32_t range = 2;
	uint16_t selector = 0;
	while (range * 2 <= 2 * seg) {
		range *= 2;
		selector++;
	}
	if (length > 0xFFFF) {
		/* Too many runs for format 4. The PDF does not read this cmap
		 * (CIDToGIDMap maps its codes): an empty one rather than a wrong
		 * one. */
		seg = 1;
		length = 24;
		range = 2;
		selector = 0;
		g_array_set_size(lo, 0);
		g_array_set_size(hi, 0);
		g_array_set_size(delta, 0);
		g_array_append_val(lo, last);
		g_array_append_val(hi, last);
		g_array_append_val(delta, one);
	}
	append16(b, 0); /* version */
	append16(b, 1); /* one subtable */
	append16(b, 3); /* Windows */
	append16(b, 1); /* Unicode BMP */
	append32(b, 12);
	append16(b, 4);
	append16(b, (uint16_t)length);
	append16(b, 0); /* language */
	append16(b, (uint16_t)(2 * seg));
	append16(b, (uint16_t)range);
	append16(b, selector);
	append16(b, (uint16_t)(2 * seg - range));
	for (guint i = 0; i < seg; i++)
		append16(b, g_array_index(hi, uint16_t, i));
	append16(b, 0); /* reservedPad */
	for (guint i = 0; i < seg; i++)
		append16(b, g_array_index(lo, uint16_t, i));
	for (guint i = 0; i < seg; i++)
		append16(b, g_array_index(delta, uint16_t, i));
	for (guint i = 0; i < seg; i++)
		append16(b, 0); /* idRangeOffset */
	g_array_unref(lo);
	g_array_unref(hi);
	g_array_unref(delta);
	return b;
}

GBytes *cpt_ttf_subset(const cpt_ttf *f, const gunichar *chars, size_t n_chars, uint16_t *renumber,
		       size_t *length)
{
	guint8 *keep = g_malloc0(f->n_glyphs);
	GByteArray *built[N_TABLES] = {NULL};
	uint32_t at[MAX_COMPONENTS];
	uint16_t n = 0;

	/* Which glyphs, and their new numbers. */
	keep[0] = 1;
	for (size_t i = 0; i < n_chars; i++)
		keep[cpt_ttf_glyph(f, chars[i])] = 1;
	close_composites(f, keep);
	for (uint32_t g = 0; g < f->n_glyphs; g++)
		renumber[g] = keep[g] ? n++ : 0;

	/* glyf, loca, hmtx. */
	GByteArray *glyf = built[T_GLYF] = g_byte_array_new();
	GByteArray *loca = built[T_LOCA] = g_byte_array_sized_new(4u * (n + 1u));
	GByteArray *hmtx = built[T_HMTX] = g_byte_array_sized_new(4u * n);
	const guint8 *lsb_only = f->t[T_HMTX].data + 4 * f->n_hmetrics;
	for (uint32_t g = 0; g < f->n_glyphs; g++) {
		uint32_t off, len;
		if (!keep[g])
			continue;
		uint32_t h = g < f->n_hmetrics ? g : f->n_hmetrics - 1u;
		append16(hmtx, u16(f->t[T_HMTX].data + 4 * h));
		append16(hmtx, g < f->n_hmetrics ? u16(f->t[T_HMTX].data + 4 * g + 2)
						 : u16(lsb_only + 2 * (g - f->n_hmetrics)));
		append32(loca, glyf->len);
		if (!glyph_span(f, (uint16_t)g, &off, &len))
			continue; /* an empty glyph rather than a broken font */
		guint start = glyf->len;
		g_byte_array_append(glyf, f->t[T_GLYF].data + off, len);
		int k = components(glyf->data + start, len, at);
		for (int i = 0; i < k; i++) {
			guint8 *p = glyf->data + start + at[i];
			put16(p, u16(p) < f->n_glyphs ? renumber[u16(p)] : 0);
		}
		pad4(glyf);
	}
	append32(loca, glyf->len);
	g_free(keep);

	/* head, hhea, maxp: copies with the counts and formats changed. */
	built[T_HEAD] = g_byte_array_new();
	g_byte_array_append(built[T_HEAD], f->t[T_HEAD].data, HEAD_LEN);
	put32(built[T_HEAD]->data + 8, 0);  /* checkSumAdjustment, set below */
	put16(built[T_HEAD]->data + 50, 1); /* long loca */
	built[T_HHEA] = g_byte_array_new();
	g_byte_array_append(built[T_HHEA], f->t[T_HHEA].data, HHEA_LEN);
	put16(built[T_HHEA]->data + 34, n);
	built[T_MAXP] = g_byte_array_new();
	g_byte_array_append(built[T_MAXP], f->t[T_MAXP].data, f->t[T_MAXP].len);
	put16(built[T_MAXP]->data + 4, n);
	built[T_CMAP] = build_cmap(f, chars, n_chars, renumber);

	/*
	 * The file: the directory, the fixed tables (compressed once per
	 * process), then the built ones, each padded to 4 bytes. Only the
	 * directory must be sorted: tables may lie in any order.
	 */
	uint16_t count = 0, range = 1, selector = 0;
	for (int k = 0; k < N_TABLES; k++)
		count += built[k] || f->fixed_len[k];
	while (range * 2 <= count) {
		range *= 2;
		selector++;
	}
	uint32_t dir_len = 12 + 16u * count, var_at = dir_len + f->fixed->len, head_at = 0;
	GByteArray *dir = g_byte_array_sized_new(dir_len), *var = g_byte_array_new();
	append32(dir, 0x00010000);
	append16(dir, count);
	append16(dir, (uint16_t)(16 * range));
	append16(dir, selector);
	append16(dir, (uint16_t)(16 * (count - range)));
	for (int k = 0; k < N_TABLES; k++) {
		if (!built[k] && !f->fixed_len[k])
			continue;
		g_byte_array_append(dir, (const guint8 *)tags[k], 4);
		if (built[k]) {
			if (k == T_HEAD)
				head_at = var->len;
			append32(dir, checksum(built[k]->data, built[k]->len));
			append32(dir, var_at + var->len);
			append32(dir, built[k]->len);
			g_byte_array_append(var, built[k]->data, built[k]->len);
			pad4(var);
			g_byte_array_unref(built[k]);
		} else {
			append32(dir, f->fixed_sum[k]);
			append32(dir, dir_len + f->fixed_at[k]);
			append32(dir, f->fixed_len[k]);
		}
	}
	uint32_t sum = checksum(dir->data, dir->len) + checksum(f->fixed->data, f->fixed->len) +
		       checksum(var->data, var->len);
	put32(var->data + head_at + 8, 0xB1B0AFBAu - sum);

	cpt_pdf_part parts[3] = {
	    {dir->data, dir->len, NULL},
	    {f->fixed->data, f->fixed->len, f->fixed_deflated},
	    {var->data, var->len, NULL},
	};
	GBytes *z = cpt_pdf_deflate_parts(parts, G_N_ELEMENTS(parts));
	*length = (size_t)dir->len + f->fixed->len + var->len;
	g_byte_array_unref(dir);
	g_byte_array_unref(var);
	return z;
}
