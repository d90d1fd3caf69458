package io.octopusha.operator.flow;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.octopusha.operator.crd.OctopusCluster;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on an OctopusCluster (kubectl describe octo shows them) and logs them. An event is recorded
 * once: the same reason and message on the same cluster again (a condition seen on every reconcile) is not repeated.
 */
public final class ClusterEvents {
    public static final String COMPONENT = "octopusha-operator";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);
    private static final int REMEMBERED = 10_000;

    private final KubernetesClient client;
    private final Clock clock;
    private final Set<String> recorded = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    public ClusterEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void record(OctopusCluster cluster, PlannedEvent event) {
        synchronized (recorded) {
            if (!recorded.add(cluster.getMetadata().getUid() + "|" + event.reason() + "|" + event.message())) return;
        }
        String namespace = cluster.getMetadata().getNamespace();
        LOG.info("{}/{}: {} {}", namespace, cluster.getMetadata().getName(), event.reason(), event.message());
        String now = clock.instant().toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(cluster.getMetadata().getName() + "." + UUID.randomUUID())
                    .withNamespace(namespace)
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder()
                            .withApiVersion(cluster.getApiVersion()).withKind(cluster.getKind())
                            .withName(cluster.getMetadata().getName()).withNamespace(namespace)
                            .withUid(cluster.getMetadata().getUid()).build())
                    .withType(event.warning() ? "Warning" : "Normal")
                    .withReason(event.reason())
                    .withMessage(event.message())
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy; losing one must not fail the reconcile that caused it.
            LOG.warn("could not record event {} on {}: {}", event.reason(), cluster.getMetadata().getName(), e.getMessage());
        }
    }
}
