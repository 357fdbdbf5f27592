/*
 * The parties and mentions of the documents the PDF tests and the PDF
 * benchmark render: a French installer invoicing a French bakery, every
 * mention filled, as the sales module fills a cpt_doc_view. No cmocka here:
 * the benchmark includes it too.
 */
#ifndef CPT_TEST_DOCVIEW_FIXTURE_H
#define CPT_TEST_DOCVIEW_FIXTURE_H

#include "docview.h"

static inline void cpt_fixture_parties(cpt_doc_view *v)
{
	v->currency = "EUR";
	v->language = "fr";
	v->buyer_reference = "BC-2026-118";
	v->preceding_number = "";
	v->seller = (cpt_doc_seller){
	    .name = "Thermo Services",
	    .legal_form = "SARL",
	    .share_capital = "10 000 €",
	    .siren = "732829320",
	    .siret = "73282932000074",
	    .rcs = "RCS Lyon 732 829 320",
	    .be_enterprise = "",
	    .vat_number = "FR44732829320",
	    .address = {"12 rue de la République", "Bâtiment B", "69002", "Lyon", "FR"},
	    .phone = "04 78 00 00 00",
	    .email = "contact@thermo.example",
	    .website = "thermo.example",
	    .iban = "FR76 3000 6000 0112 3456 7890 189",
	    .bic = "AGRIFRPP",
	    .logo_png = "",
	    .colour = 0x1F5FA8,
	    .footer = "Assurance décennale : Mutuelle des Artisans, contrat n° 123456, "
		      "couverture France métropolitaine.",
	};
	v->buyer = (cpt_doc_buyer){
	    .code = "C0042",
	    .name = "Boulangerie Lefèvre",
	    .siren = "552100554",
	    .vat_number = "FR12552100554",
	    .be_enterprise = "",
	    .billing = {"3 place de l'Église", "", "69300", "Caluire-et-Cuire", "FR"},
	    .has_delivery = true,
	    .delivery = {"Chantier « Les Érables »", "45 chemin des Écoliers", "69140",
			 "Rillieux-la-Pape", "FR"},
	    .contact = "À l'attention de Mme Élise Lefèvre",
	    .email = "compta@lefevre.example",
	};
	v->nature = CPT_NATURE_BOTH;
	v->payment_terms = "30 jours fin de mois";
	v->payment_means_code = "58";
	v->late_penalty = "Pénalités de retard : 13,15 % l'an (taux BCE + 10 points).";
	v->recovery_indemnity = "Indemnité forfaitaire pour frais de recouvrement : 40 €.";
	v->early_discount = "Pas d'escompte pour paiement anticipé.";
	v->structured_communication = "";
	v->notes = "";
}

#endif
