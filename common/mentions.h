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
 * The late-payment penalty rate (France, C. com. L441-10): the ECB rate plus
 * a margin in points, never below three times the legal interest rate.
 * *floor (may be NULL) tells whether the floor applied.
 */
int64_t cpt_mention_penalty_rate(int64_t ecb_rate, int64_t margin, int64_t legal_rate, bool *floor);

/*
 * "Pénalités de retard : 12,15 % l'an (taux de la BCE majoré de 10,00
 * points), exigibles dès le lendemain de l'échéance." into buf; false, with
 * buf empty, when it does not fit.
 */
bool cpt_mention_late_penalty(int64_t ecb_rate, int64_t margin, int64_t legal_rate, char *buf,
			      size_t size);

#endif
