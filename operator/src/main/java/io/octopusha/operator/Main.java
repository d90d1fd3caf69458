package io.octopusha.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.octopusha.operator.flow.ApiErrors;
import io.octopusha.operator.nodeclient.NodeApiFactory;
import io.octopusha.operator.nodeclient.NodeUrlResolver;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator in a cluster, with the settings of {@link OperatorSettings}. The Kubernetes connection comes from
 * the in-cluster service account or the kube config, as usual for the fabric8 client. It exits non-zero when it
 * cannot start (a missing CRD, a permission it lacks), so that Kubernetes restarts it with a back-off instead of
 * leaving a pod that looks alive and does nothing.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        OperatorSettings settings;
        try {
            settings = OperatorSettings.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        KubernetesClient client = new KubernetesClientBuilder()
                .withKubernetesSerialization(OctopusOperator.serialization()).build();
        Operator operator = OctopusOperator.create(client, NodeUrlResolver.podIp(),
                NodeApiFactory.http(settings.nodeApiTimeout()), Clock.systemUTC(),
                MicrometerMetrics.withoutPerResourceMetrics(registry), settings.leaseNamespace(),
                settings.watchNamespaces());
        OperatorHttpServer http = new OperatorHttpServer(settings.httpAddress(), settings.httpPort(), operator, registry);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            operator.stop();
            http.close();
            client.close();
        }));
        http.start();
        try {
            operator.start();
        } catch (RuntimeException e) {
            LOG.error("the operator cannot start: {}", ApiErrors.message(e));
            System.exit(1);
        }
    }
}
