/*
 * Legal mentions worded once for everyone who shows them: the server's
 * document view (what the PDF and the e-invoices print) and the client's
 * company settings, which preview the sentence as it will be printed.
 * Rates are hundredths of a percent. Nothing here allocates or prints.
 */
#ifndef CPT_MENTIONS_H
#define CPT_MENTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for cpt_mention_late_penalty with any rates of 0..10000. */
#define CPT_MENTION_SIZE 256

/*
 * The late-payment penalty rate of a seller in country ("FR", "BE"): the ECB
 * rate plus a margin in points. In France (C. com. L441-10) never below three
 * times the legal interest rate; Belgian law (2 August 2002, art. 5) has
 * no such floor but rounds the sum up to the next half point (2,15 + 8 =
 * 10,50). *floor (may be NULL) tells whether the floor applied.
 */
int64_t cpt_mention_penalty_rate(const char *country, int64_t ecb_rate, int64_t margin,
				 int64_t legal_rate, bool *floor);

/*
 * The sentence into buf; false, with buf empty, when it does not fit:
 * France: "Pénalités de retard : 12,15 % l'an (taux de la BCE majoré de
 * 10,00 points), exigibles dès le lendemain de l'échéance."
 * Belgium: "Intérêts de retard : 10,50 % l'an (taux de la BCE majoré de
 * 8,00 points, arrondi au demi-point supérieur, loi du 2 août 2002), dus de
 * plein droit dès le lendemain de l'échéance."
 */
bool cpt_mention_late_penalty(const char *country, int64_t ecb_rate, int64_t margin,
			      int64_t legal_rate, char *buf, size_t size);

#endif
