-- The value a team event carries beside its kind: the address an invitation went to, the
-- role a person was given (model::TeamChange::detail).
ALTER TABLE team_events ADD COLUMN detail TEXT;
