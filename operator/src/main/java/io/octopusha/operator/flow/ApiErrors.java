package io.octopusha.operator.flow;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** What the Kubernetes API server said when it refused a request. */
public final class ApiErrors {
    private ApiErrors() {
    }

    /** The server's own message where there is one (it names the object and the field), else the exception's. */
    public static String message(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
                return k.getStatus().getMessage();
            }
        }
        return String.valueOf(e.getMessage());
    }
}
