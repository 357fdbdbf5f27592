-- Keyset paging of the users list by name: (lower(display_name), id) is the
-- order the server pages by.
CREATE INDEX app_user_name_idx ON app_user (lower(display_name), id);
