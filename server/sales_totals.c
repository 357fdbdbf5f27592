/* A sales document's amounts: see sales_totals.h for the rules. */
#include "sales_totals.h"
#include "money.h"

#include <stdlib.h>
#include <string.h>

static int group_of(cpt_sales_totals *t, int64_t rate, const char *category)
{
	for (size_t g = 0; g < t->n_groups; g++) {
		if (t->groups[g].rate == rate && strcmp(t->groups[g].category, category) == 0) {
			return (int)g;
		}
	}
	if (t->n_groups == CPT_SALES_MAX_GROUPS) {
		return -1;
	}
	cpt_sales_group *n = &t->groups[t->n_groups];
	memset(n, 0, sizeof *n);
	n->rate = rate;
	memcpy(n->category, category, sizeof n->category);
	n->category[sizeof n->category - 1] = '\0';
	return (int)t->n_groups++;
}

static int cmp_group(const void *a, const void *b)
{
	const cpt_sales_group *x = a, *y = b;
	if (x->rate != y->rate) {
		return x->rate > y->rate ? -1 : 1;
	}
	return strcmp(x->category, y->category);
}

/* floor(a / b) for b > 0, whatever the sign of a. */
static __int128 floor_div(__int128 a, __int128 b)
{
	__int128 q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

/*
 * Spreads total over the lines of group g in proportion to their amounts
 * (whose sum is sum): the floor of each exact share, then one cent more to
 * the lines with the largest remainders, so that the shares add up to total.
 */
static bool spread(cpt_sales_line *lines, size_t n, const int *group, int g, int64_t total,
		   int64_t sum)
{
	size_t first = n;
	for (size_t i = 0; i < n; i++) {
		if (group[i] == g) {
			lines[i].net = 0;
			first = first == n ? i : first;
		}
	}
	if (first == n) {
		return true;
	}
	if (sum == 0) {
		lines[first].net = total;
		return true;
	}
	int sign = sum < 0 ? -1 : 1;
	__int128 T = (__int128)total * sign, S = (__int128)sum * sign, given = 0;
	__int128 *rem = calloc(n, sizeof *rem);
	if (!rem) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (group[i] != g) {
			continue;
		}
		__int128 exact = T * lines[i].amount * sign;
		__int128 q = floor_div(exact, S);
		rem[i] = exact - q * S;
		lines[i].net = (int64_t)q;
		given += q;
	}
	for (__int128 left = T - given; left > 0; left--) {
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			if (group[i] == g && rem[i] >= 0 && (best == n || rem[i] > rem[best])) {
				best = i;
			}
		}
		if (best == n) {
			free(rem);
			return false;
		}
		lines[best].net++;
		rem[best] = -1; /* one cent per line */
	}
	for (size_t i = 0; i < n; i++) {
		if (group[i] == g) {
			lines[i].net *= sign;
		}
	}
	free(rem);
	return true;
}

bool cpt_sales_compute(cpt_sales_line *lines, size_t n, bool prices_include_vat,
		       int64_t discount_rate, cpt_sales_totals *t, long *bad_line)
{
	memset(t, 0, sizeof *t);
	*bad_line = -1;
	int *group = calloc(n ? n : 1, sizeof *group);
	if (!group) {
		return false;
	}
	int64_t since = 0; /* for subtotals */
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		cpt_sales_line *l = &lines[i];
		group[i] = -1;
		l->amount = l->net = l->subtotal = 0;
		if (l->kind == CPT_SALES_SECTION) {
			since = 0;
			continue;
		}
		if (l->kind == CPT_SALES_SUBTOTAL) {
			l->subtotal = since;
			since = 0;
			continue;
		}
		if (l->kind != CPT_SALES_ITEM) {
			continue;
		}
		int64_t eco;
		group[i] = group_of(t, l->vat_rate, l->vat_category);
		ok = group[i] >= 0 &&
		     cpt_money_line_net(l->unit_price, l->quantity, l->discount, &l->amount) &&
		     cpt_money_line_net(l->eco_contribution, l->quantity, 0, &eco) &&
		     cpt_money_add(t->eco_total, eco, &t->eco_total) &&
		     cpt_money_add(since, l->amount, &since) &&
		     cpt_money_add(t->groups[group[i]].lines_net, l->amount,
				   &t->groups[group[i]].lines_net);
		if (!ok) {
			*bad_line = (long)i;
		}
	}
	/* Per group: the discount, the base and the VAT; lines_net is, so far,
	 * the sum as entered (HT or TTC). */
	for (size_t g = 0; g < t->n_groups && ok; g++) {
		cpt_sales_group *G = &t->groups[g];
		int64_t entered = G->lines_net, off, after;
		ok = cpt_money_percent(entered, discount_rate, &off) &&
		     cpt_money_sub(entered, off, &after);
		if (ok && !prices_include_vat) {
			G->discount = off;
			G->base = after;
			ok = cpt_money_vat(G->base, G->rate, &G->vat);
			for (size_t i = 0; i < n; i++) {
				if (group[i] == (int)g) {
					lines[i].net = lines[i].amount;
				}
			}
		} else if (ok) {
			int64_t ht_before = 0;
			ok = cpt_money_vat_from_ttc(after, G->rate, &G->vat) &&
			     cpt_money_sub(after, G->vat, &G->base) &&
			     cpt_money_ht_from_ttc(entered, G->rate, &ht_before) &&
			     cpt_money_sub(ht_before, G->base, &G->discount) &&
			     spread(lines, n, group, (int)g, ht_before, entered);
			G->lines_net = ht_before;
		}
		ok = ok && cpt_money_add(t->lines_net, G->lines_net, &t->lines_net) &&
		     cpt_money_add(t->discount_amount, G->discount, &t->discount_amount) &&
		     cpt_money_add(t->net_total, G->base, &t->net_total) &&
		     cpt_money_add(t->vat_total, G->vat, &t->vat_total);
	}
	ok = ok && cpt_money_add(t->net_total, t->vat_total, &t->gross_total);
	qsort(t->groups, t->n_groups, sizeof t->groups[0], cmp_group);
	free(group);
	return ok;
}
