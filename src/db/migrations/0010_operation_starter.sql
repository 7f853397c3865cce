-- Who started an operation (a token id or a JWT subject), so that the operation of a deleted workspace
-- (workspace.delete) stays readable by the caller that started it. NULL for operations started by the
-- server itself and for rows from before this column.
ALTER TABLE operations ADD COLUMN started_by text;
