-- A NOTIFY in every enqueueing transaction serialized all enqueue commits on the server (notifying commits
-- take one lock through their WAL flush). Nodes now send the signal themselves after the commit, coalesced
-- (see QueueSignal); polling stays the backstop.
DROP TRIGGER task_queued ON server_task;
DROP FUNCTION notify_task_queued();
