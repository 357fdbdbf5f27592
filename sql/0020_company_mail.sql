-- The message documents are sent with (company.mail_subject, mail_body,
-- from 0012) is edited in the company's settings like the rest of them.
GRANT UPDATE (mail_subject, mail_body) ON company TO comptoir_app;
