package io.octopusha.operator.crd;

/** Cluster-wide task counts. */
public class QueueStatus {
    public Integer queued;
    public Integer executing;

    public QueueStatus() {
    }

    public QueueStatus(int queued, int executing) {
        this.queued = queued;
        this.executing = executing;
    }
}
