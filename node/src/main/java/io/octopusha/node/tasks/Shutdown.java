package io.octopusha.node.tasks;

import io.octopusha.node.cluster.LocalNode;
import io.octopusha.node.queue.TaskOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The SIGTERM wait: the node starts nothing new, gives its running tasks up to OCTOPUS_SHUTDOWN_GRACE to finish, then
 * cancels what is left and waits for those cancellations to be recorded.
 */
final class Shutdown {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);
    private static final Duration CANCELED_RECORDED_WITHIN = Duration.ofSeconds(30);

    private final LocalNode node;
    private final RunningTasks running;
    private final ClaimLoop claims;

    Shutdown(LocalNode node, RunningTasks running, ClaimLoop claims) {
        this.node = node;
        this.running = running;
        this.claims = claims;
    }

    void await(Duration grace) {
        claims.stopClaiming();
        if (!running.awaitIdle(grace)) {
            log.warn("{} task(s) still running after OCTOPUS_SHUTDOWN_GRACE ({}): canceling them", running.count(), grace);
            running.cancelAll(TaskOutcome.canceled(
                    "Node " + node.name() + " shut down before the task finished (OCTOPUS_SHUTDOWN_GRACE " + grace + ")."));
            running.awaitIdle(CANCELED_RECORDED_WITHIN);
        }
    }
}
