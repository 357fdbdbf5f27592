/* Legal mentions; see mentions.h. */
#include "mentions.h"
#include "money.h"

#include <stdio.h>
#include <string.h>

static bool belgian(const char *country)
{
	return country && strcmp(country, "BE") == 0;
}

int64_t cpt_mention_penalty_rate(const char *country, int64_t ecb_rate, int64_t margin,
				 int64_t legal_rate, bool *floor)
{
	int64_t rate = ecb_rate + margin, least = belgian(country) ? 0 : 3 * legal_rate;
	if (belgian(country) && rate % 50 != 0 && rate > 0) {
		rate += 50 - rate % 50; /* art. 5: rounded up to the next half point */
	}
	if (floor) {
		*floor = rate < least;
	}
	return rate < least ? least : rate;
}

bool cpt_mention_late_penalty(const char *country, int64_t ecb_rate, int64_t margin,
			      int64_t legal_rate, char *buf, size_t size)
{
	bool floor;
	char rate[CPT_MONEY_FORMAT_SIZE], points[CPT_MONEY_FORMAT_SIZE], why[96];
	if (size == 0) {
		return false;
	}
	buf[0] = '\0';
	if (!cpt_money_format_plain(
		cpt_mention_penalty_rate(country, ecb_rate, margin, legal_rate, &floor), rate,
		sizeof rate) ||
	    !cpt_money_format_plain(margin, points, sizeof points)) {
		return false;
	}
	int n;
	if (belgian(country)) {
		n = snprintf(buf, size,
			     "Intérêts de retard : %s %% l'an (taux de la BCE majoré de %s points,"
			     " arrondi au demi-point supérieur, loi du 2 août 2002), dus de plein"
			     " droit dès le lendemain de l'échéance.",
			     rate, points);
	} else {
		if (floor) {
			snprintf(why, sizeof why, "trois fois le taux d'intérêt légal");
		} else {
			snprintf(why, sizeof why, "taux de la BCE majoré de %s points", points);
		}
		n = snprintf(buf, size,
			     "Pénalités de retard : %s %% l'an (%s), exigibles dès le lendemain de "
			     "l'échéance.",
			     rate, why);
	}
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return false;
	}
	return true;
}
