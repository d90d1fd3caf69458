package io.octopusha.operator.model;

import io.octopusha.operator.crd.OctopusCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and annotations the operator sets and selects on. */
public final class Labels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String NODE_APP = "octopus-node";
    public static final String OPERATOR = "octopusha-operator";
    /** Set on each pod by the operator; the client Service selects "in". */
    public static final String LOAD_BALANCER = "octopusha.io/load-balancer";
    public static final String IN = "in";
    public static final String OUT = "out";
    /** Hash of the pod template and node settings a pod was created from; a pod with an older hash is outdated. */
    public static final String TEMPLATE_HASH = "octopusha.io/template-hash";
    /** On the pod template: part of the admin API key's SHA-256, so that rotating the key restarts the nodes. */
    public static final String ADMIN_KEY_FINGERPRINT = "octopusha.io/admin-key-sha256";

    private Labels() {
    }

    /** Selects the node pods of one cluster (also the StatefulSet's immutable selector). */
    public static Map<String, String> selector(OctopusCluster cr) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, NODE_APP);
        labels.put(INSTANCE, cr.getMetadata().getName());
        return labels;
    }

    /** Labels of every object the operator creates for a cluster. */
    public static Map<String, String> common(OctopusCluster cr) {
        Map<String, String> labels = selector(cr);
        labels.put(MANAGED_BY, OPERATOR);
        return labels;
    }

    public static String selectorString(OctopusCluster cr) {
        return String.join(",", selector(cr).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }
}
