-- A deposit invoice credited in part or in whole is deducted on the final
-- invoice for what is left of it, not for its whole amount: the amount
-- deducted is kept on the link from the deposit to the invoice, as the
-- invoice's PDF and e-invoice then print it. Older links (amount NULL)
-- deducted the deposit's whole total.
ALTER TABLE sales_link ADD COLUMN amount bigint CHECK (amount > 0);
COMMENT ON COLUMN sales_link.amount IS
	'deposit → invoice: the amount deducted (TTC, cents); NULL on other links';
