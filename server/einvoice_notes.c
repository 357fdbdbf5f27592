/*
 * The second half of cpt_einv_prepare (einvoice_check.c): how each party is
 * identified and reached (electronic addresses, legal registrations, buyer
 * reference) and the texts EN 16931 has no field for, which become notes:
 * comment lines, section titles, eco-contribution, deposits deducted and the
 * legal mentions. Also cpt_einv_clear.
 */
#include "einvoice_private.h"

#include <stdio.h>
#include <string.h>

#include "xmlw.h"

static const char *str(const char *s)
{
	return s ? s : "";
}

/* ---- Identifiers and electronic addresses ------------------------------ */

/*
 * Electronic Address Scheme (EAS) of a VAT number, by its prefix: the
 * "country:VAT" schemes Peppol accepts (CL008), plus the Danish CVR whose
 * "DK" + 8 digits form is its VAT number. Sweden, Finland and Italy have
 * their own schemes with other number forms: not derived here.
 */
static const struct {
	char prefix[3];
	const char *eas;
} vat_eas[] = {
    {"AD", "9922"}, {"AL", "9923"}, {"AT", "9914"}, {"BA", "9924"}, {"BE", "9925"}, {"BG", "9926"},
    {"CH", "9927"}, {"CY", "9928"}, {"CZ", "9929"}, {"DE", "9930"}, {"DK", "0184"}, {"EE", "9931"},
    {"EL", "9933"}, {"ES", "9920"}, {"FR", "9957"}, {"GB", "9932"}, {"HR", "9934"}, {"HU", "9910"},
    {"IE", "9935"}, {"LI", "9936"}, {"LT", "9937"}, {"LU", "9938"}, {"LV", "9939"}, {"MC", "9940"},
    {"ME", "9941"}, {"MK", "9942"}, {"MT", "9943"}, {"NL", "9944"}, {"PL", "9945"}, {"PT", "9946"},
    {"RO", "9947"}, {"RS", "9948"}, {"SI", "9949"}, {"SK", "9950"}, {"SM", "9951"}, {"TR", "9952"},
    {"VA", "9953"},
};

static const char *eas_of_vat(const char *vat)
{
	for (size_t i = 0; i < G_N_ELEMENTS(vat_eas); i++)
		if (strncmp(vat, vat_eas[i].prefix, 2) == 0)
			return vat_eas[i].eas;
	return NULL;
}

/* The first identifier the party has, in the order einvoice.h gives. */
static cpt_einv_id endpoint(const char *siret, const char *siren, const char *be, const char *vat,
			    const char *email, bool email_ok)
{
	const char *eas;
	if (*siret)
		return (cpt_einv_id){"0009", siret};
	if (*siren)
		return (cpt_einv_id){"0002", siren};
	if (*be)
		return (cpt_einv_id){"0208", be};
	if (!cpt_xmlw_blank(vat) && (eas = eas_of_vat(vat)))
		return (cpt_einv_id){eas, vat};
	if (email_ok && !cpt_xmlw_blank(email))
		return (cpt_einv_id){"EM", email};
	return (cpt_einv_id){"", ""};
}

static cpt_einv_id legal(const char *siren, const char *be)
{
	if (*siren)
		return (cpt_einv_id){"0002", siren};
	if (*be)
		return (cpt_einv_id){"0208", be};
	return (cpt_einv_id){"", ""};
}

/* BT-33: "SARL au capital de 10 000 € – RCS Lyon 732 829 320". */
static char *legal_info(const cpt_doc_seller *s)
{
	GString *g = g_string_new(NULL);
	const char *form = str(s->legal_form), *capital = str(s->share_capital);
	if (!cpt_xmlw_blank(form))
		g_string_append(g, form);
	if (!cpt_xmlw_blank(capital))
		g_string_append_printf(g, "%s%s",
				       g->len ? " au capital de " : "Capital : ", capital);
	if (!cpt_xmlw_blank(s->rcs))
		g_string_append_printf(g, "%s%s", g->len ? " – " : "", s->rcs);
	return g_string_free(g, FALSE);
}

int cpt_einv_prepare_refs(cpt_einv *e, const cpt_doc_view *v, cpt_status *st)
{
	bool em = e->syntax == CPT_EINV_CII; /* Peppol's EAS list has no EM */
	e->seller_endpoint = endpoint(e->seller_siret, e->seller_siren, e->seller_be,
				      str(v->seller.vat_number), v->seller.email, em);
	e->buyer_endpoint =
	    endpoint("", e->buyer_siren, e->buyer_be, str(v->buyer.vat_number), v->buyer.email, em);
	e->seller_id =
	    e->seller_siret[0] ? (cpt_einv_id){"0009", e->seller_siret} : (cpt_einv_id){"", ""};
	e->seller_legal = legal(e->seller_siren, e->seller_be);
	e->buyer_legal = legal(e->buyer_siren, e->buyer_be);
	e->buyer_reference =
	    cpt_xmlw_blank(v->buyer_reference) ? str(v->buyer.code) : v->buyer_reference;
	if (e->syntax == CPT_EINV_UBL) {
		if (!*e->seller_endpoint.value)
			return cpt_status_set(st, CPT_FAILED_PRECONDITION, "seller.siret",
					      "Peppol exige l'adresse électronique du vendeur : "
					      "SIRET, SIREN, numéro d'entreprise ou numéro de TVA "
					      "(PEPPOL-EN16931-R020).");
		if (!*e->buyer_endpoint.value)
			return cpt_status_set(st, CPT_FAILED_PRECONDITION, "buyer.siren",
					      "Peppol exige l'adresse électronique du client : "
					      "SIREN, numéro d'entreprise ou numéro de TVA "
					      "(PEPPOL-EN16931-R010).");
		if (cpt_xmlw_blank(e->buyer_reference))
			return cpt_status_set(st, CPT_FAILED_PRECONDITION, "buyer_reference",
					      "Peppol exige une référence client ou le code du "
					      "client (PEPPOL-EN16931-R003).");
	}
	e->seller_legal_info = legal_info(&v->seller);
	return CPT_OK;
}

/* ---- Notes ------------------------------------------------------------- */

static void add_note(cpt_einv *e, const char *subject, char *text)
{
	if (cpt_xmlw_blank(text)) {
		g_free(text);
		return;
	}
	cpt_einv_note n = {subject, text};
	g_array_append_val(e->notes, n);
}

static void add_line_note(cpt_einv *e, size_t line, const char *text)
{
	if (cpt_xmlw_blank(text))
		return;
	char *old = e->line_notes[line];
	e->line_notes[line] = old ? g_strconcat(old, "\n", text, NULL) : g_strdup(text);
	g_free(old);
}

static char *money_text(const cpt_einv *e, int64_t cents)
{
	char buf[CPT_MONEY_FORMAT_SIZE];
	if (!cpt_money_format(cpt_einv_amount(e, cents), buf, sizeof buf))
		buf[0] = '\0';
	return g_strdup(buf);
}

/* Comment lines and section titles, and the eco-contribution of each line. */
static void notes_from_lines(cpt_einv *e, const cpt_doc_view *v)
{
	size_t last_item = SIZE_MAX; /* the item a comment line belongs to */
	for (size_t i = 0; i < v->n_lines; i++) {
		const cpt_doc_line *l = &v->lines[i];
		switch (l->kind) {
		case CPT_LINE_ITEM:
			last_item = i;
			if (l->eco_contribution != 0) {
				g_autofree char *m = money_text(e, l->eco_contribution);
				g_autofree char *t =
				    g_strdup_printf("Dont éco-participation (DEEE) : %s", m);
				add_line_note(e, i, t);
			}
			break;
		case CPT_LINE_TEXT:
			if (last_item != SIZE_MAX)
				add_line_note(e, last_item, l->label);
			else
				add_note(e, "", g_strdup(str(l->label)));
			break;
		case CPT_LINE_SECTION:
			last_item = SIZE_MAX;
			if (!cpt_xmlw_blank(l->label))
				add_note(e, "", g_strdup_printf("Section : %s", l->label));
			break;
		case CPT_LINE_SUBTOTAL:
			last_item = SIZE_MAX;
			break;
		}
	}
}

void cpt_einv_prepare_notes(cpt_einv *e, const cpt_doc_view *v)
{
	e->notes = g_array_new(FALSE, FALSE, sizeof(cpt_einv_note));
	e->line_notes = g_new0(char *, v->n_lines + 1);
	notes_from_lines(e, v);
	add_note(e, "AAI", g_strdup(str(v->notes)));
	if (v->progress_rate > 0) {
		char rate[CPT_MONEY_FORMAT_SIZE];
		g_autofree char *prev = money_text(e, v->progress_previous);
		if (!cpt_money_format_plain(v->progress_rate, rate, sizeof rate))
			rate[0] = '\0';
		add_note(e, "AAI",
			 g_strdup_printf("Avancement : %s %% ; déjà facturé : %s TTC", rate, prev));
	}
	if (v->eco_total != 0) {
		g_autofree char *m = money_text(e, v->eco_total);
		add_note(e, "AAI", g_strdup_printf("Dont éco-participation (DEEE) : %s", m));
	}
	for (size_t k = 0; k < v->n_deductions; k++) {
		const cpt_doc_deduction *d = &v->deductions[k];
		g_autofree char *m = money_text(e, d->amount);
		char date[16] = "";
		if (cpt_date_valid(d->date))
			snprintf(date, sizeof date, " du %02d/%02d/%04d", d->date.day,
				 d->date.month, d->date.year);
		add_note(e, "AAI",
			 g_strdup_printf("Acompte n° %s%s déduit : %s", str(d->number), date, m));
	}
	if (v->vat_on_debits)
		add_note(e, "TXD",
			 g_strdup("Option pour le paiement de la TVA d'après les débits"));
	add_note(e, "PMD", g_strdup(str(v->late_penalty)));
	add_note(e, "PMT", g_strdup(str(v->recovery_indemnity)));
	add_note(e, "AAB", g_strdup(str(v->early_discount)));
}

char *cpt_einv_compact(const char *s)
{
	GString *g = g_string_new(NULL);
	for (; s && *s; s++)
		if (!g_ascii_isspace(*s))
			g_string_append_c(g, *s);
	return g_string_free(g, FALSE);
}

void cpt_einv_clear(cpt_einv *e)
{
	if (e->notes) {
		for (guint i = 0; i < e->notes->len; i++)
			g_free(g_array_index(e->notes, cpt_einv_note, i).text);
		g_array_free(e->notes, TRUE);
	}
	if (e->line_notes && e->v) {
		for (size_t i = 0; i < e->v->n_lines; i++)
			g_free(e->line_notes[i]);
	}
	g_free(e->line_notes);
	g_free(e->seller_legal_info);
	memset(e, 0, sizeof *e);
}
