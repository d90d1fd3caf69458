package io.octopusha.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A highly available Octopus cluster: a StatefulSet of nodes sharing one database and one shared directory. */
@Group(OctopusCluster.GROUP)
@Version(OctopusCluster.VERSION)
@ShortNames("octo")
@AdditionalPrinterColumn(name = "Nodes", jsonPath = ".status.replicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Running tasks", jsonPath = ".status.queue.executing", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Queued", jsonPath = ".status.queue.queued", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@ValidationRule(value = Validation.NAME_RULE, message = Validation.NAME_MESSAGE)
public class OctopusCluster extends CustomResource<OctopusClusterSpec, OctopusClusterStatus> implements Namespaced {
    // No initStatus(): a new resource must have no status at all, or the first status patch (a JSON patch computed
    // against an empty status object) would address a /status that the API server does not have.
    public static final String GROUP = "octopusha.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected OctopusClusterSpec initSpec() {
        return new OctopusClusterSpec();
    }
}
