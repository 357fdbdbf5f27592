/*
 * Unit tests for common/xlsx.[ch] and common/zip.[ch]. The archive is read
 * back here by a reader written for the test from the ZIP specification, not
 * from zip.c: end record, every central-directory record, every local header,
 * every CRC recomputed bit by bit. The parts are then searched for the XML
 * each cell must produce. When unzip or python3 is installed, they check the
 * archive too; when they are not, that part is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "xlsx.h"
#include "zip.h"

/* ==== A ZIP reader for the tests ======================================== */

/* CRC-32 one bit at a time, as the specification describes it. */
static uint32_t crc32_bitwise(const unsigned char *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct part {
	char name[64];
	const unsigned char *data;
	size_t len;
} zip_part;

typedef struct archive {
	zip_part parts[16];
	size_t count;
} archive;

/* Checks the whole archive and lists its entries in directory order. */
static void read_zip(GBytes *bytes, archive *a)
{
	size_t size;
	const unsigned char *z = g_bytes_get_data(bytes, &size);
	size_t next_local = 0;

	assert_true(size >= 22);
	const unsigned char *end = z + size - 22; /* no archive comment */
	assert_int_equal(le32(end), 0x06054b50u);
	assert_int_equal(le16(end + 4), 0);
	assert_int_equal(le16(end + 6), 0);
	assert_int_equal(le16(end + 8), le16(end + 10));
	assert_int_equal(le16(end + 20), 0);
	a->count = le16(end + 10);
	assert_in_range(a->count, 1, 16);
	uint32_t cd_size = le32(end + 12), cd_offset = le32(end + 16);
	assert_int_equal((size_t)cd_offset + cd_size, size - 22);

	const unsigned char *c = z + cd_offset;
	for (size_t i = 0; i < a->count; i++) {
		zip_part *p = &a->parts[i];
		assert_true(c + 46 <= end);
		assert_int_equal(le32(c), 0x02014b50u);
		assert_int_equal(le16(c + 8) & 1, 0); /* not encrypted */
		assert_int_equal(le16(c + 10), 0);    /* stored */
		uint32_t crc = le32(c + 16), csize = le32(c + 20), usize = le32(c + 24);
		uint16_t name_len = le16(c + 28), extra = le16(c + 30), comment = le16(c + 32);
		uint32_t offset = le32(c + 42);
		assert_int_equal(csize, usize);
		assert_in_range(name_len, 1, sizeof p->name - 1);
		memcpy(p->name, c + 46, name_len);
		p->name[name_len] = '\0';

		/* Entries follow each other from the start, no gap or overlap. */
		assert_int_equal(offset, next_local);
		const unsigned char *l = z + offset;
		assert_true(l + 30 + name_len <= z + cd_offset);
		assert_int_equal(le32(l), 0x04034b50u);
		assert_int_equal(le16(l + 6) & 8, 0); /* sizes in the header, no descriptor */
		assert_int_equal(le16(l + 8), 0);
		assert_int_equal(le32(l + 14), crc);
		assert_int_equal(le32(l + 18), csize);
		assert_int_equal(le32(l + 22), usize);
		assert_int_equal(le16(l + 26), name_len);
		assert_memory_equal(l + 30, p->name, name_len);
		p->data = l + 30 + name_len + le16(l + 28);
		p->len = usize;
		assert_true(p->data + p->len <= z + cd_offset);
		assert_int_equal(crc32_bitwise(p->data, p->len), crc);
		next_local = (size_t)(p->data + p->len - z);
		c += 46 + name_len + extra + comment;
	}
	assert_int_equal(next_local, cd_offset);
	assert_ptr_equal(c, end);
}

/* The part named name, NUL-terminated in a copy the caller frees. */
static char *part_text(const archive *a, const char *name)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->parts[i].name, name) == 0)
			return g_strndup((const char *)a->parts[i].data, a->parts[i].len);
	fail_msg("no part %s", name);
	return NULL;
}

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("missing: %s", part);
}

static void assert_lacks(const char *text, const char *part)
{
	if (strstr(text, part))
		fail_msg("unexpected: %s", part);
}

/* The sheet XML of a finished workbook; the archive is checked on the way. */
static char *finish_sheet(cpt_xlsx *x)
{
	GBytes *bytes = cpt_xlsx_finish(x);
	archive a;

	read_zip(bytes, &a);
	char *sheet = part_text(&a, "xl/worksheets/sheet1.xml");
	g_bytes_unref(bytes);
	return sheet;
}

/* ==== ZIP =============================================================== */

static void crc32_matches_the_check_value_and_a_bitwise_crc(void **state)
{
	unsigned char buf[1000];

	assert_int_equal(cpt_zip_crc32("123456789", 9), 0xCBF43926u);
	assert_int_equal(cpt_zip_crc32("", 0), 0);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7919 + (i >> 3));
	assert_int_equal(cpt_zip_crc32(buf, sizeof buf), crc32_bitwise(buf, sizeof buf));
}

static void zip_holds_stored_entries_in_order(void **state)
{
	cpt_zip *z = cpt_zip_new();
	archive a;

	assert_true(cpt_zip_add(z, "a.txt", "bonjour", 7));
	assert_true(cpt_zip_add(z, "dossier/vide", NULL, 0));
	assert_true(cpt_zip_add(z, "b.bin", "\0\xFF\r\n", 4));
	GBytes *bytes = cpt_zip_finish(z);
	read_zip(bytes, &a);
	assert_int_equal(a.count, 3);
	assert_string_equal(a.parts[0].name, "a.txt");
	assert_memory_equal(a.parts[0].data, "bonjour", 7);
	assert_string_equal(a.parts[1].name, "dossier/vide");
	assert_int_equal(a.parts[1].len, 0);
	assert_memory_equal(a.parts[2].data, "\0\xFF\r\n", 4);
	g_bytes_unref(bytes);

	/* An empty archive is the end record alone. */
	bytes = cpt_zip_finish(cpt_zip_new());
	assert_int_equal(g_bytes_get_size(bytes), 22);
	g_bytes_unref(bytes);
}

static void zip_refuses_names_too_long(void **state)
{
	cpt_zip *z = cpt_zip_new();
	g_autofree char *name = g_strnfill(65536, 'n');

	assert_false(cpt_zip_add(z, name, "x", 1));
	name[65535] = '\0';
	assert_true(cpt_zip_add(z, name, "x", 1));
	cpt_zip_free(z);
	cpt_zip_free(NULL);
}

/* ==== Workbook ========================================================== */

static const cpt_xlsx_column COLUMNS[] = {
    {"Client", 30},   {"Libellé", 0}, {"Montant TTC (€)", 12.5},
    {"Échéance", 11}, {"Payée", 0},   {"Quantité", 0},
};

static GBytes *build_sample(void)
{
	cpt_xlsx *x = cpt_xlsx_new("Factures 2024");
	cpt_status st = CPT_STATUS_OK;

	assert_int_equal(cpt_xlsx_set_columns(x, COLUMNS, 6, &st), CPT_OK);
	cpt_xlsx_cell r1[] = {
	    cpt_xlsx_text("Café « crème » & <Cie> \"Sàrl\" l'Été"),
	    cpt_xlsx_text("Forfait 25 € HT"),
	    cpt_xlsx_decimal(123456, 2),
	    cpt_xlsx_date(2024, 3, 15),
	    cpt_xlsx_bool(true),
	    cpt_xlsx_decimal(1500, 3),
	};
	cpt_xlsx_cell r2[] = {
	    cpt_xlsx_text("  espacé\r\nsur deux lignes\a\x1F "),
	    {.type = CPT_XLSX_EMPTY},
	    cpt_xlsx_decimal(-5, 2),
	    cpt_xlsx_date(1900, 3, 1),
	    cpt_xlsx_bool(false),
	    cpt_xlsx_int(-42),
	};
	cpt_xlsx_cell r3[] = {
	    cpt_xlsx_text("_x0041_ <>&"), cpt_xlsx_text(NULL),	   cpt_xlsx_decimal(INT64_MIN, 2),
	    cpt_xlsx_date(9999, 12, 31),  cpt_xlsx_int(INT64_MAX), cpt_xlsx_decimal(7, 0),
	};
	assert_int_equal(cpt_xlsx_add_row(x, r1, 6, &st), CPT_OK);
	assert_int_equal(cpt_xlsx_add_row(x, r2, 6, &st), CPT_OK);
	assert_int_equal(cpt_xlsx_add_row(x, r3, 6, &st), CPT_OK);
	assert_int_equal(cpt_xlsx_row_count(x), 4);
	return cpt_xlsx_finish(x);
}

static void workbook_holds_the_six_parts_with_valid_crcs(void **state)
{
	static const char *const names[] = {
	    "[Content_Types].xml",	  "_rels/.rels",   "xl/workbook.xml",
	    "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
	};
	GBytes *bytes = build_sample();
	archive a;

	read_zip(bytes, &a);
	assert_int_equal(a.count, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(a.parts[i].name, names[i]);
		assert_true(
		    g_utf8_validate((const char *)a.parts[i].data, (gssize)a.parts[i].len, NULL));
		assert_memory_equal(a.parts[i].data, "<?xml version=\"1.0\"", 19);
	}
	g_autofree char *types = part_text(&a, "[Content_Types].xml");
	assert_contains(types, "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
			       "ContentType=\"application/vnd.openxmlformats-officedocument."
			       "spreadsheetml.worksheet+xml\"/>");
	g_autofree char *rels = part_text(&a, "xl/_rels/workbook.xml.rels");
	assert_contains(rels, "Target=\"worksheets/sheet1.xml\"");
	assert_contains(rels, "Target=\"styles.xml\"");
	g_bytes_unref(bytes);
}

static void sheet_writes_typed_and_escaped_cells(void **state)
{
	GBytes *bytes = build_sample();
	archive a;

	read_zip(bytes, &a);
	g_autofree char *sheet = part_text(&a, "xl/worksheets/sheet1.xml");
#define INLINE(ref, s)                                                                             \
	"<c r=\"" ref "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" s "</t></is></c>"
	assert_contains(sheet,
			"<row r=\"2\">" INLINE(
			    "A2", "Café « crème » &amp; &lt;Cie&gt; &quot;Sàrl&quot; l'Été"));
	assert_contains(sheet, INLINE("B2", "Forfait 25 € HT"));
	assert_contains(sheet, "<c r=\"C2\" s=\"5\"><v>1234.56</v></c>");
	assert_contains(sheet, "<c r=\"D2\" s=\"2\"><v>45366</v></c>");
	assert_contains(sheet, "<c r=\"E2\" t=\"b\"><v>1</v></c>");
	assert_contains(sheet, "<c r=\"F2\" s=\"6\"><v>1.500</v></c>");
	/* CRLF as LF, BEL and U+001F dropped, spaces kept. */
	assert_contains(sheet, INLINE("A3", "  espacé\nsur deux lignes "));
	assert_lacks(sheet, "\"B3\"");
	assert_contains(sheet, "<c r=\"C3\" s=\"5\"><v>-0.05</v></c>");
	assert_contains(sheet, "<c r=\"D3\" s=\"2\"><v>61</v></c>");
	assert_contains(sheet, "<c r=\"E3\" t=\"b\"><v>0</v></c>");
	assert_contains(sheet, "<c r=\"F3\"><v>-42</v></c>");
	/* Excel's own escapes must not be decoded from user text. */
	assert_contains(sheet, INLINE("A4", "_x005F_x0041_ &lt;&gt;&amp;"));
	assert_lacks(sheet, "\"B4\"");
	assert_contains(sheet, "<c r=\"C4\" s=\"5\"><v>-92233720368547758.08</v></c>");
	assert_contains(sheet, "<c r=\"D4\" s=\"2\"><v>2958465</v></c>");
	assert_contains(sheet, "<c r=\"E4\"><v>9223372036854775807</v></c>");
	assert_contains(sheet, "<c r=\"F4\" s=\"3\"><v>7</v></c>");
	/* Header: bold style, frozen, filtered, widths. */
	assert_contains(sheet, "<row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t "
			       "xml:space=\"preserve\">Client</t></is></c>");
	assert_contains(sheet, "<t xml:space=\"preserve\">Montant TTC (€)</t>");
	assert_contains(sheet, "<dimension ref=\"A1:F4\"/>");
	assert_contains(sheet, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
			       "state=\"frozen\"/>");
	assert_contains(sheet, "<autoFilter ref=\"A1:F4\"/>");
	assert_contains(sheet,
			"<cols><col min=\"1\" max=\"1\" width=\"30.00\" customWidth=\"1\"/>"
			"<col min=\"3\" max=\"3\" width=\"12.50\" customWidth=\"1\"/>"
			"<col min=\"4\" max=\"4\" width=\"11.00\" customWidth=\"1\"/></cols>");
#undef INLINE
	g_autofree char *styles = part_text(&a, "xl/styles.xml");
	assert_contains(styles, "<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>");
	assert_contains(styles, "<numFmt numFmtId=\"167\" formatCode=\"#,##0.00\"/>");
	assert_contains(styles, "<numFmt numFmtId=\"168\" formatCode=\"#,##0.000\"/>");
	assert_contains(styles, "<font><b/>");
	/* Style 5 (decimal, scale 2) is the sixth xf and uses format 167. */
	const char *xfs = strstr(styles, "<cellXfs");
	assert_non_null(xfs);
	for (int i = 0; i < 6; i++)
		xfs = strstr(xfs + 1, "<xf ");
	assert_memory_equal(xfs, "<xf numFmtId=\"167\"", 18);

	g_autofree char *workbook = part_text(&a, "xl/workbook.xml");
	assert_contains(workbook, "<sheet name=\"Factures 2024\" sheetId=\"1\" r:id=\"rId1\"/>");
	assert_contains(workbook, "localSheetId=\"0\" hidden=\"1\">'Factures "
				  "2024'!$A$1:$F$4</definedName>");
	g_bytes_unref(bytes);
}

static void percentages_are_fractions_shown_with_their_decimals(void **state)
{
	cpt_xlsx *x = cpt_xlsx_new("Taux");
	cpt_xlsx_column col = {"TVA", 0};
	cpt_xlsx_cell cells[] = {cpt_xlsx_percent(20, 2), cpt_xlsx_percent(55, 3),
				 cpt_xlsx_percent(2000, 4), cpt_xlsx_percent(-125, 6)};

	assert_int_equal(cpt_xlsx_set_columns(x, &col, 1, NULL), CPT_OK);
	assert_int_equal(cpt_xlsx_add_row(x, cells, 4, NULL), CPT_OK);
	GBytes *bytes = cpt_xlsx_finish(x);
	archive a;
	read_zip(bytes, &a);
	g_autofree char *sheet = part_text(&a, "xl/worksheets/sheet1.xml");
	/* 20 % is 0.20 shown "0%", 5,5 % is 0.055 shown "0.0%"... */
	assert_contains(sheet, "<c r=\"A2\" s=\"10\"><v>0.20</v></c>");
	assert_contains(sheet, "<c r=\"B2\" s=\"11\"><v>0.055</v></c>");
	assert_contains(sheet, "<c r=\"C2\" s=\"12\"><v>0.2000</v></c>");
	assert_contains(sheet, "<c r=\"D2\" s=\"14\"><v>-0.000125</v></c>");
	g_autofree char *styles = part_text(&a, "xl/styles.xml");
	assert_contains(styles, "<numFmts count=\"13\">");
	assert_contains(styles, "<numFmt numFmtId=\"172\" formatCode=\"0%\"/>");
	assert_contains(styles, "<numFmt numFmtId=\"173\" formatCode=\"0.0%\"/>");
	assert_contains(styles, "<numFmt numFmtId=\"176\" formatCode=\"0.0000%\"/>");
	assert_contains(styles, "<cellXfs count=\"15\">");
	/* Style 10 is the eleventh xf and uses format 172; style 14 the last, 176. */
	const char *xfs = strstr(styles, "<cellXfs");
	for (int i = 0; i < 11; i++)
		xfs = strstr(xfs + 1, "<xf ");
	assert_memory_equal(xfs, "<xf numFmtId=\"172\"", 18);
	for (int i = 0; i < 4; i++)
		xfs = strstr(xfs + 1, "<xf ");
	assert_memory_equal(xfs, "<xf numFmtId=\"176\"", 18);
	assert_null(strstr(xfs + 1, "<xf "));
	g_bytes_unref(bytes);
}

static void same_calls_give_the_same_bytes(void **state)
{
	GBytes *a = build_sample(), *b = build_sample();
	assert_true(g_bytes_equal(a, b));
	g_bytes_unref(a);
	g_bytes_unref(b);
}

static void sheet_without_header_has_no_pane_nor_filter(void **state)
{
	cpt_xlsx *x = cpt_xlsx_new(NULL);
	cpt_xlsx_cell cells[28] = {0};

	cells[26] = cpt_xlsx_int(1);
	cells[27] = cpt_xlsx_int(2);
	assert_int_equal(cpt_xlsx_add_row(x, cells, 28, NULL), CPT_OK);
	g_autofree char *sheet = finish_sheet(x);
	assert_contains(sheet, "<row r=\"1\"><c r=\"AA1\"><v>1</v></c><c r=\"AB1\"><v>2</v></c>");
	assert_contains(sheet, "<dimension ref=\"A1:AB1\"/>");
	assert_lacks(sheet, "<pane");
	assert_lacks(sheet, "autoFilter");
	assert_lacks(sheet, "<cols>");

	/* Nothing at all. */
	g_autofree char *empty = finish_sheet(cpt_xlsx_new("Vide"));
	assert_contains(empty, "<dimension ref=\"A1\"/>");
	assert_contains(empty, "<sheetData></sheetData>");
}

static void columns_reach_xfd_and_no_further(void **state)
{
	cpt_xlsx *x = cpt_xlsx_new("Large");
	cpt_xlsx_cell *cells = g_new0(cpt_xlsx_cell, CPT_XLSX_MAX_COLUMNS + 1);
	cpt_status st = CPT_STATUS_OK;

	cells[CPT_XLSX_MAX_COLUMNS - 1] = cpt_xlsx_int(16384);
	assert_int_equal(cpt_xlsx_add_row(x, cells, CPT_XLSX_MAX_COLUMNS + 1, &st),
			 CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "xlsx");
	assert_int_equal(cpt_xlsx_add_row(x, cells, CPT_XLSX_MAX_COLUMNS, &st), CPT_OK);
	g_free(cells);
	g_autofree char *sheet = finish_sheet(x);
	assert_contains(sheet, "<c r=\"XFD1\"><v>16384</v></c>");
}

static void refused_rows_leave_nothing_behind(void **state)
{
	cpt_xlsx *x = cpt_xlsx_new("Erreurs");
	cpt_status st = CPT_STATUS_OK;
	cpt_xlsx_column one = {"Seule", 0};
	cpt_xlsx_cell good = cpt_xlsx_text("gardée");
	struct {
		cpt_xlsx_cell cell;
		const char *message;
	} bad[] = {
	    {cpt_xlsx_date(2023, 2, 29), "cellule B2 : date invalide ou antérieure au 01/03/1900 "
					 "(29/02/2023)"},
	    {cpt_xlsx_date(1900, 2, 28), "cellule B2 : date invalide ou antérieure au 01/03/1900 "
					 "(28/02/1900)"},
	    {cpt_xlsx_date(2024, 13, 1), "cellule B2 : date invalide"},
	    {cpt_xlsx_date(10000, 1, 1), "cellule B2 : date invalide"},
	    {cpt_xlsx_decimal(1, 7), "cellule B2 : 7 décimales (de 0 à 6)"},
	    {cpt_xlsx_decimal(1, -1), "cellule B2 : -1 décimales (de 0 à 6)"},
	    {cpt_xlsx_percent(20, 1), "cellule B2 : pourcentage à 1 décimales (de 2 à 6)"},
	    {cpt_xlsx_percent(20, 7), "cellule B2 : pourcentage à 7 décimales (de 2 à 6)"},
	    {cpt_xlsx_text("Caf\xE9"), "cellule B2 : texte non UTF-8"},
	    {{.type = (cpt_xlsx_type)99}, "cellule B2 : type de cellule inconnu"},
	};

	assert_int_equal(cpt_xlsx_set_columns(x, &one, 1, &st), CPT_OK);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		cpt_xlsx_cell row[2] = {cpt_xlsx_text("perdue"), bad[i].cell};
		assert_int_equal(cpt_xlsx_add_row(x, row, 2, &st), CPT_INVALID_ARGUMENT);
		assert_string_equal(st.field, "xlsx");
		if (strncmp(st.message, bad[i].message, strlen(bad[i].message)) != 0)
			fail_msg("\"%s\" instead of \"%s\"", st.message, bad[i].message);
	}
	assert_int_equal(cpt_xlsx_row_count(x), 1);
	assert_int_equal(cpt_xlsx_add_row(x, &good, 1, &st), CPT_OK);
	assert_int_equal(st.code, CPT_OK);
	/* The header comes first or not at all. */
	assert_int_equal(cpt_xlsx_set_columns(x, &one, 1, &st), CPT_FAILED_PRECONDITION);
	g_autofree char *sheet = finish_sheet(x);
	assert_lacks(sheet, "perdue");
	assert_contains(sheet, "<row r=\"2\">" /* numbered on, no gap */
			       "<c r=\"A2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">gardée");

	x = cpt_xlsx_new("x");
	assert_int_equal(cpt_xlsx_set_columns(x, &one, 0, &st), CPT_INVALID_ARGUMENT);
	cpt_xlsx_column latin1 = {"\xE9t\xE9", 0};
	assert_int_equal(cpt_xlsx_set_columns(x, &latin1, 1, &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.message, "colonne 1 : titre non UTF-8");
	cpt_xlsx_free(x);
	cpt_xlsx_free(NULL);
}

static void long_text_is_cut_at_excel_limit(void **state)
{
	cpt_xlsx *x = cpt_xlsx_new("Long");
	GString *text = g_string_new(NULL);

	/* 32766 units of "a" then U+1F600 (2 units) would make 32768. */
	for (int i = 0; i < CPT_XLSX_MAX_TEXT - 1; i++)
		g_string_append_c(text, 'a');
	g_string_append(text, "\xF0\x9F\x98\x80 fin");
	cpt_xlsx_cell cell = cpt_xlsx_text(text->str);
	assert_int_equal(cpt_xlsx_add_row(x, &cell, 1, NULL), CPT_OK);
	g_autofree char *sheet = finish_sheet(x);
	const char *t = strstr(sheet, "preserve\">");
	assert_non_null(t);
	t += strlen("preserve\">");
	assert_int_equal(strstr(t, "</t>") - t, CPT_XLSX_MAX_TEXT - 1);
	g_string_free(text, TRUE);
}

static void sheet_names_are_made_acceptable_to_excel(void **state)
{
	static const char *cases[][2] = {
	    {"Ventes 2024/T1 [brouillon]", "Ventes 2024_T1 _brouillon_"},
	    {"a:b\\c?d*e", "a_b_c_d_e"},
	    {"'Ventes'", "Ventes"},
	    {"Prévisions « été » 2024 — agence de Saint-Étienne",
	     "Prévisions « été » 2024 — agenc"},
	    {"", "Feuille1"},
	    {"''", "Feuille1"},
	    {"Caf\xE9", "Feuille1"},
	    {"L&lt;", "L&amp;lt;"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		cpt_xlsx *x = cpt_xlsx_new(cases[i][0]);
		GBytes *bytes = cpt_xlsx_finish(x);
		archive a;
		read_zip(bytes, &a);
		g_autofree char *workbook = part_text(&a, "xl/workbook.xml");
		g_autofree char *expected = g_strdup_printf("<sheet name=\"%s\"", cases[i][1]);
		assert_contains(workbook, expected);
		g_bytes_unref(bytes);
	}

	/* A quote inside the name is doubled in the filter's range. */
	cpt_xlsx *x = cpt_xlsx_new("Clients d'Alès");
	cpt_xlsx_column col = {"Nom", 0};
	assert_int_equal(cpt_xlsx_set_columns(x, &col, 1, NULL), CPT_OK);
	GBytes *bytes = cpt_xlsx_finish(x);
	archive a;
	read_zip(bytes, &a);
	g_autofree char *workbook = part_text(&a, "xl/workbook.xml");
	assert_contains(workbook, ">'Clients d''Alès'!$A$1:$A$1</definedName>");
	g_bytes_unref(bytes);
}

/* ==== Other readers, when the machine has them ========================== */

static const char PYTHON_CHECK[] =
    "import sys, zipfile, xml.etree.ElementTree as ET\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "assert z.testzip() is None\n"
    "for n in z.namelist(): ET.fromstring(z.read(n))\n"
    "m = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'\n"
    "s = ET.fromstring(z.read('xl/worksheets/sheet1.xml'))\n"
    "c = {e.get('r'): e for e in s.iter(m + 'c')}\n"
    "t = lambda r: ''.join(c[r].itertext())\n"
    "assert t('A2') == 'Caf\\u00e9 \\u00ab cr\\u00e8me \\u00bb & <Cie> \"S\\u00e0rl\" "
    "l\\'\\u00c9t\\u00e9', t('A2')\n"
    "assert t('B2') == 'Forfait 25 \\u20ac HT'\n"
    "assert c['C2'].find(m + 'v').text == '1234.56'\n"
    "assert t('A3') == '  espac\\u00e9\\nsur deux lignes ', repr(t('A3'))\n"
    "try:\n"
    "    import openpyxl\n"
    "except ImportError:\n"
    "    sys.exit(0)\n"
    "ws = openpyxl.load_workbook(sys.argv[1]).active\n"
    "assert ws.title == 'Factures 2024'\n"
    "assert ws['C2'].value == 1234.56 and ws['C2'].number_format == '#,##0.00'\n"
    "assert ws['D2'].value.strftime('%d/%m/%Y') == '15/03/2024'\n"
    "assert ws['E2'].value is True and ws.freeze_panes == 'A2'\n"
    "assert ws.auto_filter.ref == 'A1:F4'\n";

/* Runs argv; true if it exited 0. Its output goes to the test log. */
static bool run(const char *const *argv)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, &error))
		return false;
	if (!g_spawn_check_wait_status(status, NULL)) {
		print_message("%s failed:\n%s%s", argv[0], out, err);
		return false;
	}
	return true;
}

static void external_readers_accept_the_archive(void **state)
{
	GBytes *bytes = build_sample();
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;
	int fd = g_file_open_tmp("cpt-xlsx-XXXXXX.xlsx", &path, &error);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, g_bytes_get_data(bytes, NULL),
					(gssize)g_bytes_get_size(bytes), NULL));
	g_bytes_unref(bytes);

	g_autofree char *unzip = g_find_program_in_path("unzip");
	if (unzip) {
		const char *argv[] = {unzip, "-tq", path, NULL};
		assert_true(run(argv));
	}
	g_autofree char *python = g_find_program_in_path("python3");
	const char *probe[] = {"python3", "-c", "import zipfile, xml.etree.ElementTree", NULL};
	if (python && run(probe)) {
		const char *argv[] = {python, "-c", PYTHON_CHECK, path, NULL};
		assert_true(run(argv));
	}
	g_unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(crc32_matches_the_check_value_and_a_bitwise_crc),
	    cmocka_unit_test(zip_holds_stored_entries_in_order),
	    cmocka_unit_test(zip_refuses_names_too_long),
	    cmocka_unit_test(workbook_holds_the_six_parts_with_valid_crcs),
	    cmocka_unit_test(sheet_writes_typed_and_escaped_cells),
	    cmocka_unit_test(percentages_are_fractions_shown_with_their_decimals),
	    cmocka_unit_test(same_calls_give_the_same_bytes),
	    cmocka_unit_test(sheet_without_header_has_no_pane_nor_filter),
	    cmocka_unit_test(columns_reach_xfd_and_no_further),
	    cmocka_unit_test(refused_rows_leave_nothing_behind),
	    cmocka_unit_test(long_text_is_cut_at_excel_limit),
	    cmocka_unit_test(sheet_names_are_made_acceptable_to_excel),
	    cmocka_unit_test(external_readers_accept_the_archive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
