package io.octopusha.operator.model;

import io.octopusha.operator.crd.OctopusCluster;

/** Names of everything the operator creates for one cluster, and of its nodes. */
public final class Names {
    public static final int NODE_HTTP_PORT = 8080;
    public static final String SHARED_DIR = "/octopus/shared";
    public static final String DATA_DIR = "/octopus/data";
    public static final String NODE_ID_PREFIX = "OctopusServerNodes-";

    private Names() {
    }

    public static String statefulSet(OctopusCluster cr) {
        return cr.getMetadata().getName();
    }

    public static String clientService(OctopusCluster cr) {
        return cr.getMetadata().getName();
    }

    public static String headlessService(OctopusCluster cr) {
        return cr.getMetadata().getName() + "-nodes";
    }

    public static String configMap(OctopusCluster cr) {
        return cr.getMetadata().getName() + "-config";
    }

    public static String sharedClaim(OctopusCluster cr) {
        return cr.getMetadata().getName() + "-shared";
    }

    public static String serviceAccount(OctopusCluster cr) {
        return cr.getMetadata().getName();
    }

    public static String podDisruptionBudget(OctopusCluster cr) {
        return cr.getMetadata().getName();
    }

    public static String ingress(OctopusCluster cr) {
        return cr.getMetadata().getName();
    }

    public static String generatedAdminKeySecret(OctopusCluster cr) {
        return cr.getMetadata().getName() + "-admin-api-key";
    }

    /** Pod name of a StatefulSet ordinal, which is also the Octopus node name. */
    public static String pod(OctopusCluster cr, int ordinal) {
        return statefulSet(cr) + "-" + ordinal;
    }

    /** Ordinal of a pod of this cluster's StatefulSet, or -1 when the name is not one of its pods. */
    public static int ordinal(OctopusCluster cr, String podName) {
        String prefix = statefulSet(cr) + "-";
        if (podName == null || !podName.startsWith(prefix)) {
            return -1;
        }
        String rest = podName.substring(prefix.length());
        return rest.matches("0|[1-9][0-9]{0,8}") ? Integer.parseInt(rest) : -1;
    }

    public static String nodeId(String nodeName) {
        return NODE_ID_PREFIX + nodeName;
    }
}
