-- A resource URN is registered in at most one account (DESIGN.md §4 rule 7): whose
-- resource it is must be defined before a decision can keep to the caller's account.
-- (account, urn) stays unique as before; this makes the URN alone unique.
--
-- A database that already holds one URN in two accounts cannot take the index: the guard
-- below stops the migration with a message saying so (nothing is applied), and the
-- operator removes the URN from every account but its owner (`iamd resource remove`).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM resources GROUP BY urn HAVING COUNT(*) > 1) THEN
        RAISE EXCEPTION 'some resource URNs are registered in more than one account (SELECT urn, account FROM resources WHERE urn IN (SELECT urn FROM resources GROUP BY urn HAVING COUNT(*) > 1)): remove each from every account but its owner with `iamd resource remove --account NIC --urn URN`, then start iamd again';
    END IF;
END
$$;

CREATE UNIQUE INDEX resources_urn_unique ON resources (urn);
