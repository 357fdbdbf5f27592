/*
 * E-invoices from a document view (docview.h): pure functions, no database,
 * no network, no files.
 *
 *  - cpt_einvoice_cii: UN/CEFACT CII D16B as Factur-X / ZUGFeRD wants it,
 *    profile EN 16931 (guideline urn:cen.eu:en16931:2017). This is the XML
 *    that goes into the PDF/A-3 as factur-x.xml.
 *  - cpt_einvoice_ubl: UBL 2.1 Invoice, or CreditNote for a credit note,
 *    Peppol BIS Billing 3.0 (customization
 *    urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0,
 *    profile urn:fdc:peppol.eu:2017:poacc:billing:01:1.0).
 *
 * Both check the view before writing a byte, so that what they return passes
 * the EN 16931 business rules (BR-CO and the VAT category rules), and for
 * UBL the Peppol ones. They return CPT_OK and set *out, which the caller
 * releases with g_bytes_unref(); or an error with st (which may be NULL) set
 * and *out left NULL:
 *
 *  - FAILED_PRECONDITION, field "type": a quote, order, delivery note or pro
 *    forma is not an invoice. Also for a draft (field "number") and for what
 *    the view lacks but the rules demand, naming the missing field: the
 *    seller's VAT number under a taxed or exempt category (BR-S-02...), the
 *    buyer's VAT number for reverse charge or an intra-EU supply and the
 *    delivery date for the latter (BR-IC-11), any identifier of the seller
 *    (BR-CO-26), an IBAN for a credit transfer (BR-61), a due date or
 *    payment terms when something is due (BR-CO-25); for Peppol also an electronic address of
 *    each party (R010, R020), a buyer reference (R003), and the mandate of a
 *    direct debit, which the view does not carry (R061).
 *  - INVALID_ARGUMENT, field naming the view's member at fault ("lines[3].net",
 *    "vat[0].amount", "net_total", "gross_total", "amount_due"...): totals
 *    that do not add up. A line's net must be round(quantity x price x
 *    (1 - discount)) (cpt_money_line_net); lines_net the sum of the item
 *    nets; net_total = lines_net - discount_amount; the VAT bases must sum
 *    to net_total, each rate's share of the document discount (its line nets
 *    minus its base) having the discount's sign; each standard-rated VAT =
 *    round(base x rate) (cpt_money_vat) and 0 for every other category;
 *    vat_total the sum of the VATs, gross_total = net_total + vat_total,
 *    prepaid = the sum of the deductions, amount_due = gross_total - prepaid,
 *    eco_total = the sum of the lines' eco-contributions. When
 *    prices_include_vat, line nets and VATs may be a cent off, since they
 *    come from TTC sums (money.h); that stays within Peppol R120 and BR-CO-17.
 *    Also for categories and rates that do not match (lines[i].vat_rate),
 *    an exempt breakdown without reason (vat[j].exemption), and amounts or
 *    quantities beyond 10^15.
 *
 * How the view maps onto EN 16931 (both syntaxes alike):
 *
 *  - Item lines are invoice lines (BG-25), numbered 1, 2, ... in order. The
 *    first line of the label is the item name (BT-153), the rest its
 *    description (BT-154); the article code is the seller's item id (BT-155).
 *    No unit code means C62 (one).
 *  - A line discount is a price discount: gross price BT-148 = the unit
 *    price, price discount BT-147 = price x discount, net price BT-146 =
 *    their difference, written exactly (up to 8 decimals), so that quantity
 *    x net price is the line net before its single rounding (Peppol
 *    R046, R120). A negative unit price (a rebate line) is written as a
 *    positive price and a negated quantity (BR-27: no negative price).
 *  - Comment lines (CPT_LINE_TEXT) are added to the note (BT-127) of the item
 *    line above them; before any item, to the document note. Section titles
 *    go to the document note ("Section : ..."); subtotal lines are left out
 *    (EN 16931 has no such lines and the totals carry them).
 *  - Eco-contribution (DEEE) is part of the line net, as the law has it; it
 *    is stated in the line note ("Dont éco-participation (DEEE) : 1,00 €") and
 *    the total in a document note.
 *  - The document discount becomes one document allowance (BG-20) per VAT
 *    rate and category, reason "Remise" (code 95), amount = that rate's line
 *    nets minus its base. Its percentage and base (BT-94, BT-93) are given
 *    when they reproduce that amount within a cent (Peppol R040).
 *  - Deductions of deposits are the prepaid amount (BT-113) and a document
 *    note; in UBL also a preceding invoice reference (BG-3) each. CII D16B
 *    takes one BG-3 only: the invoice a credit note corrects.
 *  - A credit note whose amounts are given negative (gross_total < 0) is
 *    written with every amount and quantity negated: type 381 already says
 *    the amounts are credited.
 *  - Legal mentions are document notes with UNTDID 4451 subject codes in CII
 *    (PMD late penalty, PMT recovery indemnity, AAB early discount, TXD VAT on
 *    debits, AAI free notes, deposits, eco-contribution; none for section
 *    titles and comments); Peppol allows one note (R002), so UBL joins
 *    them, one per line.
 *  - Electronic addresses (BT-34, BT-49): SIRET (0009), else SIREN (0002),
 *    else Belgian enterprise number (0208), else the VAT number under its
 *    country's EAS (9957 FR, 9925 BE, 9930 DE, ...); the e-mail address
 *    (EM) last, in CII only since Peppol does not accept EM. The buyer has no
 *    SIRET in the view. Legal registration (BT-30, BT-47): SIREN (0002) or
 *    enterprise number (0208). The seller's SIRET is also its id (BT-29).
 *  - Buyer reference (BT-10): the view's buyer_reference, else the buyer's
 *    code.
 *  - Payment (BG-16) when payment_means_code is set: IBAN and BIC for the
 *    transfer codes 30, 31, 42 and 58; remittance information (BT-83) = the
 *    Belgian structured communication, else the invoice number.
 *  - Deliver-to (BG-13): the delivery address when the view has one, the
 *    billing address for an intra-EU supply (K, BR-IC-12); delivery_date as
 *    BT-72.
 *  - Not subject to VAT (O): no VAT identifier is written (BR-O-02) and O
 *    cannot be mixed with another category (BR-O-11).
 */
#ifndef CPT_EINVOICE_H
#define CPT_EINVOICE_H

#include "docview.h"
#include "status.h"

#include <glib.h>

int cpt_einvoice_cii(const cpt_doc_view *v, GBytes **out, cpt_status *st);
int cpt_einvoice_ubl(const cpt_doc_view *v, GBytes **out, cpt_status *st);

#endif
