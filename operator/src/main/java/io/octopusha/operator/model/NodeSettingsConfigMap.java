package io.octopusha.operator.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.octopusha.operator.crd.Defaults;
import io.octopusha.operator.crd.OctopusCluster;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The node settings every pod reads through envFrom (SPEC section 3); secrets go in by secretKeyRef instead. */
public final class NodeSettingsConfigMap {
    private NodeSettingsConfigMap() {
    }

    public static ConfigMap desired(OctopusCluster cr) {
        return new ConfigMapBuilder()
                .withMetadata(Meta.of(cr, Names.configMap(cr)))
                .withData(settings(cr))
                .build();
    }

    private static Map<String, String> settings(OctopusCluster cr) {
        var spec = cr.getSpec();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("OCTOPUS_HTTP_PORT", Integer.toString(Names.NODE_HTTP_PORT));
        data.put("OCTOPUS_DATA_DIR", Names.DATA_DIR);
        data.put("OCTOPUS_SHARED_DIR", Names.SHARED_DIR);
        data.put("OCTOPUS_TASK_CAP", Integer.toString(Defaults.taskCap(spec)));
        data.put("OCTOPUS_SHUTDOWN_GRACE", shutdownGrace(Defaults.terminationGraceSeconds(spec)).toString());
        if (spec.nodeLimit != null) {
            data.put("OCTOPUS_NODE_LIMIT", spec.nodeLimit.toString());
        }
        return data;
    }

    /**
     * The node's own drain-and-wait on SIGTERM must end before Kubernetes kills the pod, leaving time to cancel what
     * still runs and mark the node offline: a tenth of the grace period, at most 30 seconds.
     */
    public static Duration shutdownGrace(long terminationGracePeriodSeconds) {
        long margin = Math.min(30, Math.max(1, terminationGracePeriodSeconds / 10));
        return Duration.ofSeconds(terminationGracePeriodSeconds - margin);
    }
}
