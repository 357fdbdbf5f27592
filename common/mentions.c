/* Legal mentions; see mentions.h. */
#include "mentions.h"
#include "money.h"

#include <stdio.h>

int64_t cpt_mention_penalty_rate(int64_t ecb_rate, int64_t margin, int64_t legal_rate, bool *floor)
{
	int64_t rate = ecb_rate + margin, least = 3 * legal_rate;
	if (floor) {
		*floor = rate < least;
	}
	return rate < least ? least : rate;
}

bool cpt_mention_late_penalty(int64_t ecb_rate, int64_t margin, int64_t legal_rate, char *buf,
			      size_t size)
{
	bool floor;
	char rate[CPT_MONEY_FORMAT_SIZE], points[CPT_MONEY_FORMAT_SIZE], why[96];
	if (size == 0) {
		return false;
	}
	buf[0] = '\0';
	if (!cpt_money_format_plain(cpt_mention_penalty_rate(ecb_rate, margin, legal_rate, &floor),
				    rate, sizeof rate) ||
	    !cpt_money_format_plain(margin, points, sizeof points)) {
		return false;
	}
	if (floor) {
		snprintf(why, sizeof why, "trois fois le taux d'intérêt légal");
	} else {
		snprintf(why, sizeof why, "taux de la BCE majoré de %s points", points);
	}
	int n = snprintf(buf, size,
			 "Pénalités de retard : %s %% l'an (%s), exigibles dès le lendemain de "
			 "l'échéance.",
			 rate, why);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return false;
	}
	return true;
}
