package io.octopusha.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs the operator in a cluster. Settings: OPERATOR_HTTP_PORT (health and metrics, default 8080), OPERATOR_HTTP_ADDRESS
 * (the address it listens on, default 0.0.0.0),
 * OPERATOR_NODE_API_TIMEOUT (ISO-8601, per node API request, default PT5S), OPERATOR_LEASE_NAMESPACE (set it to run
 * several replicas with leader election) and OPERATOR_WATCH_NAMESPACES (comma-separated; unset: all namespaces). The Kubernetes connection comes from the in-cluster service account or the
 * kube config, as usual for the fabric8 client.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(env("OPERATOR_HTTP_PORT", "8080"));
        Duration timeout = Duration.parse(env("OPERATOR_NODE_API_TIMEOUT", "PT5S"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        KubernetesClient client = new KubernetesClientBuilder().build();
        Operator operator = OctopusOperator.create(client, NodeUrlResolver.podIp(), NodeApiFactory.http(timeout),
                Clock.systemUTC(), MicrometerMetrics.withoutPerResourceMetrics(registry),
                Optional.ofNullable(System.getenv("OPERATOR_LEASE_NAMESPACE")).filter(ns -> !ns.isBlank()),
                watchNamespaces(env("OPERATOR_WATCH_NAMESPACES", "")));
        OperatorHttpServer http = new OperatorHttpServer(env("OPERATOR_HTTP_ADDRESS", "0.0.0.0"), port, operator, registry);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            operator.stop();
            http.close();
            client.close();
        }));
        http.start();
        operator.start();
    }

    /** Comma-separated; empty means every namespace. */
    static Set<String> watchNamespaces(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(ns -> !ns.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
