package io.octopusha.operator.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.octopusha.node.testing.Api;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches a cluster while something disruptive happens, as its users would notice: how many of its nodes were down at
 * once (a member pod missing, not ready or terminating), and whether the API answered through the client Service. It
 * samples every 200 ms on its own thread until closed.
 */
final class Availability implements AutoCloseable {
    private static final Duration PERIOD = Duration.ofMillis(200);

    private final ClusterUnderTest cluster;
    private final int members;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger maxDown = new AtomicInteger();
    private final AtomicInteger samples = new AtomicInteger();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    Availability(ClusterUnderTest cluster, int members) {
        this.cluster = cluster;
        this.members = members;
        this.thread = Thread.ofPlatform().daemon().name("availability").start(this::run);
    }

    private void run() {
        while (running.get()) {
            Instant next = Instant.now().plus(PERIOD);
            List<Pod> pods = cluster.pods();
            long up = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(ClusterUnderTest::ready).count();
            maxDown.accumulateAndGet((int) (members - up), Math::max);
            try {
                Api api = cluster.serviceApi().orElse(null);
                if (api == null) {
                    failures.add(Instant.now() + ": the client Service has no ready endpoint");
                } else {
                    int status = api.get("/api/octopusservernodes/summary").status();
                    if (status != 200) failures.add(Instant.now() + ": " + api.baseUrl() + " answered " + status);
                }
            } catch (RuntimeException e) {
                failures.add(Instant.now() + ": " + e.getMessage());
            }
            samples.incrementAndGet();
            long wait = Duration.between(Instant.now(), next).toMillis();
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The most member nodes that were down at the same time. */
    int maxDown() {
        return maxDown.get();
    }

    int samples() {
        return samples.get();
    }

    /** API calls through the Service that did not answer 200. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
