package io.octopusha.operator.crd;

import java.time.Duration;
import java.util.Optional;

/** The spec with its defaults applied; the same defaults the CRD schema declares. */
public final class Defaults {
    public static final int TASK_CAP = 5;
    public static final Duration DRAIN_TIMEOUT = Duration.ofHours(1);
    public static final long TERMINATION_GRACE_SECONDS = 630;
    public static final String SHARED_STORAGE_SIZE = "10Gi";
    public static final int SERVICE_PORT = 80;

    private Defaults() {
    }

    public static int taskCap(OctopusClusterSpec spec) {
        return spec.taskCap == null ? TASK_CAP : spec.taskCap;
    }

    public static Duration drainTimeout(OctopusClusterSpec spec) {
        return spec.drainTimeout == null ? DRAIN_TIMEOUT : Durations.parse(spec.drainTimeout);
    }

    public static long terminationGraceSeconds(OctopusClusterSpec spec) {
        return spec.terminationGracePeriodSeconds == null ? TERMINATION_GRACE_SECONDS : spec.terminationGracePeriodSeconds;
    }

    public static boolean followNodeCordon(OctopusClusterSpec spec) {
        return spec.maintenance == null || spec.maintenance.followNodeCordon == null || spec.maintenance.followNodeCordon;
    }

    public static UpgradeStrategy upgradeStrategy(OctopusClusterSpec spec) {
        return spec.upgradeStrategy == null ? UpgradeStrategy.DrainAll : spec.upgradeStrategy;
    }

    public static ScriptTasks scriptTasks(OctopusClusterSpec spec) {
        return spec.scriptTasks == null ? ScriptTasks.Administrator : spec.scriptTasks;
    }

    public static boolean ingressEnabled(OctopusClusterSpec spec) {
        return spec.ingress != null && Boolean.TRUE.equals(spec.ingress.enabled);
    }

    public static Optional<String> existingClaim(OctopusClusterSpec spec) {
        return Optional.ofNullable(spec.sharedStorage).map(s -> s.existingClaim).filter(s -> !s.isBlank());
    }

    public static boolean deleteClaim(OctopusClusterSpec spec) {
        return spec.sharedStorage != null && Boolean.TRUE.equals(spec.sharedStorage.deleteClaim);
    }

    /** Replicas the StatefulSet may have: spec.replicas, capped by nodeLimit. */
    public static int allowedReplicas(OctopusClusterSpec spec) {
        int replicas = spec.replicas == null ? 0 : spec.replicas;
        return spec.nodeLimit == null ? replicas : Math.min(replicas, spec.nodeLimit);
    }

    public static Optional<NodeOverride> override(OctopusClusterSpec spec, String podName) {
        return spec.nodes == null ? Optional.empty()
                : spec.nodes.stream().filter(n -> podName.equals(n.name)).findFirst();
    }

    public static int taskCap(OctopusClusterSpec spec, String podName) {
        return override(spec, podName).map(o -> o.taskCap).orElse(taskCap(spec));
    }
}
