package io.octopusha.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
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
    @Pattern("^\\S+$")
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

    @ValidationRule(value = "self.matches('" + Durations.PATTERN + "')", message = "must look like 1h, 30m, 1h30m or 90s")
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

    @Default("Administrator")
    @JsonPropertyDescription("Who may create AdHocScript tasks: Administrator, Operator (and Administrators), or"
            + " Disabled (the nodes run none). Scripts run as the node's user, without its environment or memory.")
    public ScriptTasks scriptTasks;

    @Min(1)
    @JsonPropertyDescription("Licence-style maximum number of nodes; replicas above it are not started.")
    public Integer nodeLimit;

    @JsonPropertyDescription("Compute resources of the node container.")
    public NodeResources resources;

    @JsonPropertyDescription("Node selector of the node pods.")
    public Map<String, String> nodeSelector = new LinkedHashMap<>();

    @JsonPropertyDescription("Tolerations of the node pods.")
    public List<Toleration> tolerations = new ArrayList<>();

    @JsonPropertyDescription("Affinity of the node pods. Unset: the pods prefer to run on different Kubernetes nodes.")
    public Affinity affinity;

    @JsonPropertyDescription("Pod security context of the node pods, replacing the default (non-root uid and gid 1000,"
            + " fsGroup 1000, RuntimeDefault seccomp); e.g. {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}"
            + " where the platform assigns ids (OpenShift).")
    public PodSecurityContext podSecurityContext;

    @JsonPropertyDescription("Security context of the node container, replacing the default (no privilege escalation,"
            + " every capability dropped, read-only root file system).")
    public SecurityContext securityContext;
}
