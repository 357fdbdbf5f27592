-- Sectors and sales reps no party uses can be deleted (PartyRefs/DeleteSector,
-- DeleteSalesRep); the foreign keys from party keep a used one.
GRANT DELETE ON sector, sales_rep TO comptoir_app;
