package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired cluster (SPEC section 7). Defaults are declared twice on purpose: in the CRD schema, so that the API
 * server fills them in, and in {@link Defaults}, so that the operator never depends on a defaulting API server.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OctopusClusterSpec {

    @Required
    @Min(0)
    @SpecReplicas
    @JsonPropertyDescription("Number of Octopus nodes (pods of the StatefulSet).")
    public Integer replicas;

    @Required
    @JsonPropertyDescription("Node container image, e.g. octopusha/node:0.1.0.")
    public String image;

    @JsonPropertyDescription("Image pull policy of the node container.")
    public ImagePullPolicy imagePullPolicy;

    @Min(0)
    @Max(1000)
    @Default("5")
    @JsonPropertyDescription("Maximum concurrent tasks of each node, unless overridden in nodes[].")
    public Integer taskCap;

    @JsonPropertyDescription("Per-node overrides, by pod name (e.g. mycluster-2).")
    public List<NodeOverride> nodes = new ArrayList<>();

    @Required
    @JsonPropertyDescription("The shared PostgreSQL database, as Secret references.")
    public DatabaseSpec database;

    @JsonPropertyDescription("Shared storage mounted by every node (ReadWriteMany).")
    public SharedStorageSpec sharedStorage;

    @JsonPropertyDescription("Secret key holding the administrator API key; the operator generates one when absent.")
    public SecretKeyRef adminApiKeySecretRef;

    @JsonPropertyDescription("The client Service in front of the nodes that are in the load balancer.")
    public ServiceSpec service;

    @JsonPropertyDescription("Optional Ingress to the client Service.")
    public IngressSpec ingress;

    @Pattern(Durations.PATTERN)
    @Default("1h")
    @JsonPropertyDescription("How long a drain waits for running tasks before they are cancelled, e.g. 1h, 30m, 90s.")
    public String drainTimeout;

    @Min(10)
    @Default("630")
    @JsonPropertyDescription("Pod termination grace; nodes get OCTOPUS_SHUTDOWN_GRACE just below it.")
    public Long terminationGracePeriodSeconds;

    @JsonPropertyDescription("How the operator reacts to Kubernetes node maintenance.")
    public MaintenanceSpec maintenance;

    @Default("DrainAll")
    @JsonPropertyDescription("How nodes restart after an image or pod template change.")
    public UpgradeStrategy upgradeStrategy;

    @Min(1)
    @JsonPropertyDescription("Licence-style maximum number of nodes; replicas above it are not started.")
    public Integer nodeLimit;

    @JsonPropertyDescription("Compute resources of the node container.")
    public ResourceRequirements resources;

    @JsonPropertyDescription("Node selector of the node pods.")
    public Map<String, String> nodeSelector = new LinkedHashMap<>();

    @JsonPropertyDescription("Tolerations of the node pods.")
    public List<Toleration> tolerations = new ArrayList<>();

    @JsonPropertyDescription("Affinity of the node pods.")
    public Affinity affinity;
}
