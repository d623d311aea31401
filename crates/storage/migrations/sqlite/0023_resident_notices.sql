-- A resident who reported on the public page with a phone number is told by the notification
-- gateway (SMS) that the report arrived and when it is resolved (issue 17). The phone is sealed
-- at rest like every other phone; only the sender opens it.
ALTER TABLE notifications ADD COLUMN to_phone TEXT;
