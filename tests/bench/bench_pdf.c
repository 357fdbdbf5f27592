/*
 * Rendering one invoice of 3 lines, no database: the plain PDF and the
 * PDF/A-3 Factur-X file with the CII that cpt_einvoice_cii() writes for the
 * same view, as comptoird archives it at validation. Renders each N times
 * (BENCH_PDF_N, 200 by default) after a few warm-up renders, and prints the
 * median, the 90th percentile and the size of the output. The view is the
 * one a small French company sends: seller without logo, buyer with a
 * delivery site, every legal mention, two VAT rates.
 *
 * Run it alone (no testenv): build/release/tests/bench/bench_pdf [N]; with
 * BENCH_PDF_OUT=DIR it also leaves both files in DIR to be looked at.
 */
#include "docview.h"
#include "docview_fixture.h"
#include "einvoice.h"
#include "money.h"
#include "pdf.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WARMUP 5

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static cpt_doc_line lines[3];
static cpt_doc_vat vat[2];

/* Totals as the sales module computes them (tests/unit/pdf_fixtures.h). */
static void invoice_view(cpt_doc_view *v)
{
	static const struct {
		const char *code, *label, *unit;
		int64_t qty3, price4, rate;
	} items[3] = {
	    {"CHAUD-24", "Chaudière à condensation 24 kW, ventouse horizontale", "u", 1000,
	     28500000, 2000},
	    {"MO", "Main-d'œuvre : dépose de l'ancienne chaudière, pose et mise en service", "h",
	     7500, 550000, 2000},
	    {"", "Fournitures diverses (raccords, joints « haute température »)", "u", 1000, 456700,
	     1000},
	};
	cpt_money_vat_acc acc;

	memset(v, 0, sizeof *v);
	v->type = CPT_DOC_INVOICE;
	v->number = "FA-2026-0142";
	v->title = "";
	v->issue_date = (cpt_date){2026, 3, 12};
	v->due_date = (cpt_date){2026, 4, 30};
	v->delivery_date = (cpt_date){2026, 3, 10};
	cpt_fixture_parties(v);

	cpt_money_vat_acc_init(&acc, CPT_MONEY_ENTRY_HT);
	for (size_t i = 0; i < 3; i++) {
		cpt_doc_line *l = &lines[i];
		*l = (cpt_doc_line){.kind = CPT_LINE_ITEM,
				    .article_code = items[i].code,
				    .label = items[i].label,
				    .unit = items[i].unit,
				    .unit_code = items[i].unit[0] == 'h' ? "HUR" : "C62",
				    .quantity = items[i].qty3,
				    .unit_price = items[i].price4,
				    .vat_rate = items[i].rate,
				    .vat_category = "S"};
		cpt_money_line_net(l->unit_price, l->quantity, 0, &l->net);
		cpt_money_vat_acc_add(&acc, l->vat_rate, l->net);
		v->lines_net += l->net;
	}
	v->lines = lines;
	v->n_lines = 3;
	v->n_vat = cpt_money_vat_acc_count(&acc);
	for (size_t i = 0; i < v->n_vat; i++) {
		cpt_money_vat_subtotal s;
		cpt_money_vat_acc_get(&acc, i, &s);
		vat[i] = (cpt_doc_vat){.rate = s.rate_bp,
				       .category = "S",
				       .base = s.net,
				       .exemption = "",
				       .exemption_code = ""};
		cpt_money_vat(s.net, s.rate_bp, &vat[i].amount);
		v->vat_total += vat[i].amount;
	}
	v->vat = vat;
	v->net_total = v->lines_net;
	v->gross_total = v->net_total + v->vat_total;
	v->amount_due = v->gross_total;
}

typedef struct {
	const cpt_doc_view *v;
	GBytes *xml; /* NULL: the plain PDF */
} job;

static GBytes *render(const job *j)
{
	GBytes *out = NULL;
	cpt_status st = {0};
	int rc;

	if (j->xml) {
		gsize len;
		const void *data = g_bytes_get_data(j->xml, &len);
		rc = cpt_pdf_render_facturx(j->v, data, len, CPT_PDF_FX_EN16931, &out, &st);
	} else {
		rc = cpt_pdf_render(j->v, &out, &st);
	}
	if (rc != CPT_OK) {
		fprintf(stderr, "render: %s (%s)\n", st.message, st.field);
		exit(1);
	}
	return out;
}

static void measure(const char *what, const char *file, const job *j, int n)
{
	double *ms = g_new(double, n);
	GBytes *first = render(j);
	const char *dir = getenv("BENCH_PDF_OUT");

	if (dir && *dir) {
		g_autofree char *path = g_build_filename(dir, file, NULL);
		if (!g_file_set_contents(path, g_bytes_get_data(first, NULL),
					 (gssize)g_bytes_get_size(first), NULL))
			fprintf(stderr, "cannot write %s\n", path);
	}

	for (int i = 1; i < WARMUP; i++)
		g_bytes_unref(render(j));
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		GBytes *out = render(j);
		ms[i] = now_ms() - t0;
		if (!g_bytes_equal(out, first)) {
			fprintf(stderr, "%s: render %d differs from the first\n", what, i);
			exit(1);
		}
		g_bytes_unref(out);
	}
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	printf("%-34s %8.2f ms %8.2f ms %9zu bytes\n", what, ms[n / 2], ms[n * 9 / 10],
	       g_bytes_get_size(first));
	g_bytes_unref(first);
	g_free(ms);
}

int main(int argc, char **argv)
{
	const char *env = getenv("BENCH_PDF_N");
	int n = argc > 1 ? atoi(argv[1]) : env ? atoi(env) : 200;
	cpt_doc_view v;
	GBytes *xml = NULL;
	cpt_status st = {0};

	if (n < 1)
		n = 1;
	invoice_view(&v);
	if (cpt_einvoice_cii(&v, &xml, &st) != CPT_OK) {
		fprintf(stderr, "cpt_einvoice_cii: %s (%s)\n", st.message, st.field);
		return 1;
	}
	printf("PDF rendering, invoice of 3 lines, %d renders each, one thread\n", n);
	printf("%-34s %11s %11s %15s\n", "", "median", "p90", "size");
	measure("plain PDF", "bench-plain.pdf", &(job){&v, NULL}, n);
	measure("Factur-X PDF/A-3 (CII embedded)", "bench-facturx.pdf", &(job){&v, xml}, n);
	g_bytes_unref(xml);
	return 0;
}
