-- The claim must read the queued index in queue order and stop after max_tasks rows. Under a steady stream the
-- table's statistics lag behind it (autovacuum and autoanalyze visit it about once a minute), and with them
-- saying the queue is nearly empty the planner sometimes read every queued row through the expiry index and
-- sorted them all instead: at 3,600 tasks/s with a backlog of a few thousand that made each claim slower,
-- which made the backlog grow. Without a sort to choose, the queued index is the only plan left.
ALTER FUNCTION claim_tasks(text, integer) SET enable_sort = off;
